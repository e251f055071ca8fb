import Testing
import Formats

/// ISA-L and zlib give the same CRC-32 and Adler-32 on random data, whole and in random pieces;
/// the word-wise zero scan agrees with a byte loop.
@Suite struct ChecksumImplementationTests {
  /// Deterministic pseudo-random bytes (SplitMix64), so a failure reproduces.
  static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return UInt8(truncatingIfNeeded: z ^ (z >> 31))
    }
  }

  static let lengths = [0, 1, 3, 15, 16, 17, 63, 64, 65, 255, 4096, 65_537, 1 << 20]

  @Test func checkValues() {
    let digits = Array("123456789".utf8)
    #expect(CRC32.checksum(digits, .isal) == 0xCBF4_3926)
    #expect(CRC32.checksum(digits, .zlib) == 0xCBF4_3926)
    #expect(Adler32.checksum(digits, .isal) == 0x091E_01DE)
    #expect(Adler32.checksum(digits, .zlib) == 0x091E_01DE)
  }

  @Test(arguments: lengths)
  func crc32IsalEqualsZlib(_ length: Int) {
    let data = Self.randomBytes(length, seed: UInt64(length) &+ 1)
    #expect(CRC32.checksum(data, .isal) == CRC32.checksum(data, .zlib))
  }

  @Test(arguments: lengths)
  func adler32IsalEqualsZlib(_ length: Int) {
    let data = Self.randomBytes(length, seed: UInt64(length) &+ 7)
    #expect(Adler32.checksum(data, .isal) == Adler32.checksum(data, .zlib))
    // The InnoDB "innodb" checksum chains Adler-32 from seed 0.
    var a = Adler32(seed: 0, .isal), b = Adler32(seed: 0, .zlib)
    a.update(data); b.update(data)
    #expect(a.value == b.value)
  }

  /// Fed in pieces of random sizes, both implementations equal the one-shot value.
  @Test(arguments: [1, 2, 3])
  func incrementalEqualsOneShot(_ seed: UInt64) {
    let data = Self.randomBytes(300_000, seed: seed)
    let cuts = Self.randomBytes(400, seed: seed &+ 100)
    for implementation in [CRC32.Implementation.isal, .zlib] {
      var crc = CRC32(implementation), adler = Adler32(implementation)
      var at = 0, k = 0
      data.withUnsafeBytes { p in
        while at < p.count {
          let n = min(p.count - at, 1 + Int(cuts[k % cuts.count]) * 37)
          crc.update(UnsafeRawBufferPointer(rebasing: p[at..<(at + n)]))
          adler.update(UnsafeRawBufferPointer(rebasing: p[at..<(at + n)]))
          at += n; k += 1
        }
      }
      #expect(crc.value == CRC32.checksum(data, .zlib))
      #expect(adler.value == Adler32.checksum(data, .zlib))
    }
  }

  /// The page checker counts all-zero pages without validating them: they must be empty pages in
  /// every checksum scheme.
  @Test(arguments: [InnoDBChecksumScheme.classic, .compressed, .fullCRC32])
  func allZeroPageIsEmptyInEveryScheme(_ scheme: InnoDBChecksumScheme) {
    for size in [4096, 8192, 16384, 65536] {
      #expect(InnoDBPage.validate([UInt8](repeating: 0, count: size), scheme: scheme) == .empty)
    }
  }

  @Test func zeroScanAgreesWithByteLoop() {
    for length in [0, 1, 7, 31, 32, 33, 100, 16384] {
      let zeros = [UInt8](repeating: 0, count: length)
      #expect(ZeroScan.isAllZero(zeros))
      for at in Set([0, length / 2, length - 1]) where at >= 0 && at < length {
        var one = zeros
        one[at] = 0x40
        #expect(!ZeroScan.isAllZero(one), "length \(length), non-zero at \(at)")
        #expect(ZeroScan.isAllZero(one, ignoring: at..<(at + 1)))
        #expect(ZeroScan.isAllZero(one, ignoring: 0..<length))
      }
    }
  }
}
