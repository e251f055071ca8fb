import Testing
import Formats
import TestSupport

/// The xbcrypt chunk reader and AES-CTR against the spec's worked example (§2.8) and hostile headers.
@Suite struct XbcryptVectorTests {
  static let key = Array("0123456789abcdef0123456789abcdef".utf8)
  static let specVector: [UInt8] = hex("""
    58 42 43 52 59 50 30 33 00 00 00 00 00 00 00 00 26 00 00 00 00 00 00 00 26 00 00 00 00 00 00 00
    a4 16 f3 66 10 00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
    3b 38 b0 99 f9 c5 6e f5 b4 89 a5 98 5a 81 d6 2e b6 e1 c3 b6 db f5 10 e1 c0 37 a0 7f 5a 49 7f c8
    0e f3 17 ec f1 d1
    """)

  static func hex(_ s: String) -> [UInt8] {
    s.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0, radix: 16)! }
  }

  @Test func specWorkedExampleIsReproducedByEncryption() {
    let chunk = XbcryptWriter.chunk(Array("hello\n".utf8), key: Self.key, version: 3, iv: Array(0..<16))
    #expect(chunk == Self.specVector)
  }

  @Test func specWorkedExampleParsesAndDecrypts() throws {
    guard case .complete(let h) = try XbcryptChunkHeader.parse(Self.specVector, at: 0) else { Issue.record("incomplete"); return }
    #expect(h.version == .v3)
    #expect(h.originalSize == 38 && h.encryptedSize == 38 && h.dataSize == 6)
    #expect(h.checksum == 0x66F3_16A4)
    #expect(h.iv == Array(0..<16) && h.headerLength == 60)
    let ct = Array(Self.specVector[60...])
    #expect(CRC32.checksum(ct) == 0x66F3_16A4)
    let cipher = try AESCTRCipher(key: Self.key)
    try cipher.reset(counter: h.iv)
    let plain = cipher.apply(ct)
    #expect(Array(plain[..<6]) == Array("hello\n".utf8))
    #expect(Array(plain[6...]) == SHA256.hash(Array("hello\n".utf8)))
    #expect(SHA256.hash(Array("hello\n".utf8)).hexString.hasPrefix("5891b5b5"))
  }

  @Test func headerNeedsMoreThenTruncates() throws {
    let v = Self.specVector
    #expect(try XbcryptChunkHeader.parse(Array(v[..<10]), at: 0) == .needMore(36))
    #expect(try XbcryptChunkHeader.parse(Array(v[..<36]), at: 0) == .needMore(44))
    #expect(try XbcryptChunkHeader.parse(Array(v[..<44]), at: 0) == .needMore(60))
    #expect(throws: XbcryptError.truncated(offset: 7, structure: "IV", needed: 60, available: 50)) {
      try XbcryptChunkHeader.parse(Array(v[..<50]), at: 7, atEnd: true)
    }
  }

  @Test func v1HeaderHasNoIV() throws {
    let c = XbcryptWriter.chunk([1, 2, 3], key: Self.key, version: 1)
    guard case .complete(let h) = try XbcryptChunkHeader.parse(c, at: 0) else { Issue.record("incomplete"); return }
    #expect(h.version == .v1 && h.headerLength == 36 && h.ivLength == 0 && h.dataSize == 3)
  }

  @Test func badMagicAndHostileSizes() {
    #expect(throws: XbcryptError.badMagic(offset: 0, found: Array("XBCRYP04".utf8))) {
      try XbcryptChunkHeader.parse(Array("XBCRYP04".utf8) + [UInt8](repeating: 0, count: 40), at: 0)
    }
    #expect(throws: XbcryptError.badMagic(offset: 0, found: Array("XBS".utf8))) {
      try XbcryptChunkHeader.parse(Array("XBS".utf8), at: 0, atEnd: true)
    }
    var big = Self.specVector
    big.replaceSubrange(16..<24, with: XbcryptWriter.le(1 << 62, 8))
    #expect(throws: XbcryptError.sizeTooLarge(offset: 0, field: "original_size", value: 1 << 62)) {
      try XbcryptChunkHeader.parse(big, at: 0)
    }
    var iv = Self.specVector
    iv.replaceSubrange(36..<44, with: XbcryptWriter.le(5000, 8))
    #expect(throws: XbcryptError.ivTooLong(offset: 0, length: 5000)) { try XbcryptChunkHeader.parse(iv, at: 0) }
  }

  final class Recorder: XbcryptParserDelegate {
    var events: [String] = []
    var ciphertext: [UInt8] = []
    func xbcryptChunkStarts(at offset: Int64) { events.append("start \(offset)") }
    func xbcryptChunk(_ h: XbcryptChunkHeader) { events.append("chunk \(h.offset) v\(h.version.rawValue) \(h.encryptedSize)") }
    func xbcryptCiphertext(_ bytes: UnsafeRawBufferPointer) { ciphertext += bytes }
    func xbcryptChunkEnd(_ h: XbcryptChunkHeader, computedChecksum: UInt32) {
      events.append("end \(h.offset) \(computedChecksum == h.checksum)")
    }
  }

  @Test(arguments: [1, 7, 1000])
  func parserGivesTheSameEventsWhateverThePieceSize(step: Int) throws {
    let data = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let file = XbcryptWriter.file(data, key: Self.key, chunkSize: 2048)
    var parser = XbcryptParser()
    let r = Recorder()
    var at = 0
    while at < file.count {
      let end = min(file.count, at + step)
      try Array(file[at..<end]).withUnsafeBytes { try parser.feed($0, to: r) }
      at = end
    }
    try parser.finish(r)
    #expect(r.events == ["start 0", "chunk 0 v3 2080", "end 0 true", "start 2140", "chunk 2140 v3 2080", "end 2140 true",
                         "start 4280", "chunk 4280 v3 936", "end 4280 true"])
    #expect(r.ciphertext.count == 2080 + 2080 + 936)
  }

  @Test func parserReportsTruncationAtTheChunkStart() throws {
    let file = XbcryptWriter.file(Array(repeating: 7, count: 3000), key: Self.key, chunkSize: 2048)
    var parser = XbcryptParser()
    let r = Recorder()
    try Array(file.dropLast(5)).withUnsafeBytes { try parser.feed($0, to: r) }
    #expect(throws: XbcryptError.truncated(offset: 2140, structure: "ciphertext", needed: 60 + 984, available: 60 + 979)) {
      try parser.finish(r)
    }
  }

  @Test func hugeDeclaredSizeIsNeverAllocated() throws {
    var c = Self.specVector
    c.replaceSubrange(16..<32, with: XbcryptWriter.le(2_147_483_647, 8) + XbcryptWriter.le(2_147_483_647, 8))
    var parser = XbcryptParser()
    let r = Recorder()
    try c.withUnsafeBytes { try parser.feed($0, to: r) }
    #expect(throws: XbcryptError.truncated(offset: 0, structure: "ciphertext", needed: 60 + 2_147_483_647, available: 98)) {
      try parser.finish(r)
    }
  }

  @Test func aesVariantFollowsKeyLength() throws {
    for n in [16, 24, 32] { _ = try AESCTRCipher(key: [UInt8](repeating: 1, count: n)) }
    #expect(throws: CryptoError.self) { try AESCTRCipher(key: [UInt8](repeating: 1, count: 33)) }
    // CTR carries across the whole 128-bit counter (spec §2.4): the block after ff…ff is 00…00.
    let c = try AESCTRCipher(key: Self.key)
    try c.reset(counter: [UInt8](repeating: 0xFF, count: 16))
    let two = c.apply([UInt8](repeating: 0, count: 32))
    try c.reset(counter: AESCTRCipher.zeroCounter)
    #expect(Array(two[16...]) == c.apply([UInt8](repeating: 0, count: 16)))
  }
}
