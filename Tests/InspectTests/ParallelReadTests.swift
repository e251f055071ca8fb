import Foundation
import Testing
import Inspect
import TestSupport

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
