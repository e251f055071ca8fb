import Foundation
import Testing
import Inspect
import TestSupport
import Formats

/// The parallel read path (layers, input digest and member digests on separate threads) gives the
/// same report as the serial one, byte for byte in what matters: findings in order, members,
/// digests, facts. Run on every real corpus sample, whole and drip-fed.
@Suite struct ParallelReadTests {
  /// What a report says, without the timestamps.
  struct Essence: Equatable {
    var sha256: String?
    var size: UInt64
    var layers: [String]
    var facts: [String: String]
    var members: [InputReport.Member]
    var dropped: [InputReport.Member]
    var findings: [Finding]
  }

  static func essence(_ r: InputReport) -> Essence {
    Essence(sha256: r.sha256, size: r.size, layers: r.layers, facts: r.facts, members: r.members,
            dropped: r.dropped, findings: r.findings)
  }

  static let files = Corpus.expectations().map(\.file)

  static func run(_ file: String, parallel: Bool, digests: Bool = true, step: Int = .max) throws -> InputReport {
    var o = VerifyOptions()
    o.parallel = parallel
    o.computeDigests = digests
    return try Run.verifyReal(file, step: step, options: o)
  }

  @Test(arguments: files)
  func parallelEqualsSerial(_ file: String) throws {
    let serial = try Self.run(file, parallel: false)
    let parallel = try Self.run(file, parallel: true)
    #expect(Self.essence(parallel) == Self.essence(serial))
    #expect(serial.members.isEmpty || serial.members.contains { $0.sha256 != nil || $0.digestNote != nil || $0.size == nil })
    // Drip-fed in 7-byte reads (many reads batched into one buffer) the layers see the same pieces.
    let dripped = try Self.run(file, parallel: true, step: 7)
    #expect(Self.essence(dripped) == Self.essence(serial))
  }

  @Test(arguments: files)
  func parallelEqualsSerialWithoutDigests(_ file: String) throws {
    let serial = try Self.run(file, parallel: false, digests: false)
    let parallel = try Self.run(file, parallel: true, digests: false)
    #expect(Self.essence(parallel) == Self.essence(serial))
    #expect(parallel.sha256 == nil)
    #expect(parallel.members.allSatisfy { $0.sha256 == nil })
  }

  /// The member digests computed on the digest thread are the oracle's (members.tsv).
  @Test func parallelDigestsMatchTheOracle() throws {
    let file = "mb1011_tiny_full_compress_qp.xb"
    let report = try Self.run(file, parallel: true)
    let oracle = Set(Corpus.members(of: file))
    #expect(!oracle.isEmpty)
    #expect(report.digests == oracle)
  }

  /// One-byte reads: thousands of pieces per buffer, handed over in batches, same report.
  @Test func oneByteReads() throws {
    let file = "xbc3_aes256_chunk64K_customers.ibd.xbcrypt"
    let serial = try Self.run(file, parallel: false, step: 1)
    let parallel = try Self.run(file, parallel: true, step: 1)
    #expect(Self.essence(parallel) == Self.essence(serial))
    #expect(parallel.sha256 == serial.sha256 && parallel.sha256 != nil)
  }
}

/// Many chunks (several batches in flight on the helpers) with damage in the middle: the parallel
/// run reports exactly what the serial one does, in the same order, whole and drip-fed.
@Suite struct ParallelXbcryptTests {
  static let key = Array("0123456789ABCDEF0123456789abcdef".utf8)

  static func options(parallel: Bool) -> VerifyOptions {
    var o = VerifyOptions()
    o.keys = [KeyMaterial(bytes: key, source: "test key")]
    o.parallel = parallel
    return o
  }

  /// 60 chunks of 4 KiB inside an xbstream member; chunk 20's data altered under a valid CRC
  /// (a hash mismatch) and chunk 41's ciphertext flipped (a CRC mismatch).
  static func damagedStream() -> [UInt8] {
    var chunks: [[UInt8]] = []
    for i in 0..<60 {
      let data = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i &* 7) }
      var iv = [UInt8](repeating: 0, count: 16)
      iv[0] = UInt8(i); iv[15] = 0xA5
      var c = XbcryptWriter.chunk(data, key: key, iv: iv)
      if i == 20 {
        c[c.count - 100] ^= 0x01  // ciphertext altered, then the CRC recomputed over it
        let header = 8 + 8 + 8 + 8
        let body = Array(c[(header + 4 + 8 + 16)...])
        let crc = CRC32.checksum(body)
        for k in 0..<4 { c[header + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
      }
      if i == 41 { c[c.count - 7] ^= 0x80 }
      chunks.append(c)
    }
    return XbcryptWriter.xbstream([("db/t1.ibd.xbcrypt", chunks.flatMap { $0 }), ("db/t2.frm", Array("frm".utf8))])
  }

  @Test(arguments: [Int.max, 1000, 7])
  func damageIsReportedIdentically(step: Int) {
    let bytes = Self.damagedStream()
    let serial = Run.verify(bytes, name: "s.xb", step: step, options: Self.options(parallel: false))
    let parallel = Run.verify(bytes, name: "s.xb", step: step, options: Self.options(parallel: true))
    #expect(ParallelReadTests.essence(parallel) == ParallelReadTests.essence(serial))
    #expect(serial.findings("xbcrypt.hash_mismatch").count == 1)
    #expect(serial.findings("xbcrypt.crc_mismatch").count == 1)
    #expect(serial.verdict == .failed)
  }
}
