import Foundation
import Testing
import Formats
import Inspect
import TestSupport

/// Deterministic corruption sweep over real samples: every header byte of every chunk, seeded
/// random single-byte changes elsewhere, and truncations at every chunk boundary ±1. Each change
/// must produce a finding the intact sample does not have — never a crash and never a silent pass —
/// unless the format cannot reveal it; those exceptions are listed here with their reason.
@Suite struct CorruptionSweepTests {
  /// A seeded generator (SplitMix64) so every run sweeps the same changes.
  struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
  }

  /// Why a change may go unnoticed: the xbstream format has no check that covers it.
  enum Blind: String {
    case pathByte = "path bytes are covered by no checksum: a changed name is another member"
    case ignorableFlag = "the IGNORABLE flag has no effect on a known chunk type"
    case rewriteFlag = "flag 0x02 (MariaDB REWRITE / 9.7 SINGLE_OBJECT) is valid on any chunk"
    case cleanCut = "a stream cut where every member is closed is a shorter valid stream"
  }

  static let samples = ["xbs_pxb24_create_4files.xb", "xbs_mbstream_create_4files.xb"]

  /// Chunk headers of `bytes` as (start, path range, header length, kind).
  final class Headers: XbstreamParserDelegate {
    var list: [XbstreamChunkHeader] = []
    func xbstreamChunk(_ h: XbstreamChunkHeader) { list.append(h) }
    func xbstreamPayload(_ bytes: UnsafeRawBufferPointer) {}
    func xbstreamChunkEnd(_ header: XbstreamChunkHeader, computedChecksum: UInt32) {}
  }

  static func headers(_ bytes: [UInt8]) -> [XbstreamChunkHeader] {
    let h = Headers()
    var p = XbstreamParser()
    _ = bytes.withUnsafeBytes { b in Result { () throws(XbstreamError) in try p.feed(b, to: h); try p.finish(h) } }
    return h.list
  }

  func findingKeys(_ r: InputReport) -> Set<String> { Set(r.findings.map { "\($0.code)@\($0.offset ?? -1)" }) }

  func revealed(_ mutated: [UInt8], baseline: Set<String>) -> Bool {
    let r = Run.verify(mutated, name: "sample.xb")
    return !findingKeys(r).subtracting(baseline).isEmpty
  }

  @Test(arguments: samples)
  func everyHeaderByteChangeIsFound(_ file: String) throws {
    let bytes = try Corpus.bytes(Corpus.realFile(file))
    let baseline = findingKeys(Run.verify(bytes, name: "sample.xb"))
    var silent: [String] = []
    var blind = 0
    for h in Self.headers(bytes) {
      let start = Int(h.offset)
      for i in start..<(start + h.headerLength) {
        let rel = i - start
        var m = bytes
        m[i] ^= 0x01
        let isPath = rel >= 14 && rel < 14 + h.path.count
        if isPath || (rel == 8) { blind += 1; continue }  // Blind.pathByte, Blind.ignorableFlag
        if !revealed(m, baseline: baseline) { silent.append("byte \(i) (chunk at \(start), +\(rel))") }
      }
      // Flag 0x02 and reserved bits: 0x02 is valid, others are a warning.
      var m = bytes
      m[start + 8] = 0x04
      if !revealed(m, baseline: baseline) { silent.append("reserved flag 0x04 at \(start + 8)") }
    }
    #expect(silent == [], "changes nobody noticed in \(file): \(silent.prefix(10))")
    #expect(blind > 0)
  }

  @Test(arguments: samples)
  func seededRandomChangesAreFound(_ file: String) throws {
    let bytes = try Corpus.bytes(Corpus.realFile(file))
    let baseline = findingKeys(Run.verify(bytes, name: "sample.xb"))
    let headerBytes = Set(Self.headers(bytes).flatMap { Int($0.offset)..<(Int($0.offset) + $0.headerLength) })
    var rng = SeededGenerator(state: 0x5EED_0001)
    var silent: [Int] = []
    var tried = 0
    while tried < 256 {
      let i = Int.random(in: 0..<bytes.count, using: &rng)
      guard !headerBytes.contains(i) else { continue }  // payload bytes: covered by the chunk CRC
      tried += 1
      var m = bytes
      m[i] = m[i] &+ UInt8.random(in: 1...255, using: &rng)
      if !revealed(m, baseline: baseline) { silent.append(i) }
    }
    #expect(silent == [], "payload changes nobody noticed in \(file): \(silent.prefix(10))")
  }

  @Test(arguments: samples)
  func truncationAtEveryBoundaryIsFound(_ file: String) throws {
    let bytes = try Corpus.bytes(Corpus.realFile(file))
    let headers = Self.headers(bytes)
    var silent: [Int] = []
    var clean = 0
    for (k, h) in headers.enumerated() {
      for cut in [Int(h.offset) - 1, Int(h.offset), Int(h.offset) + 1] where cut > 0 && cut < bytes.count {
        let r = Run.verify(Array(bytes.prefix(cut)), name: "sample.xb")
        if r.verdict == .failed { continue }
        // Blind.cleanCut: at a chunk boundary with every member closed, the prefix is a valid stream.
        let openBefore = Set(headers[..<k].filter { $0.kind != .eof }.map(\.path))
          .subtracting(headers[..<k].filter { $0.kind == .eof }.map(\.path))
        if cut == Int(h.offset) && openBefore.isEmpty { clean += 1; continue }
        silent.append(cut)
      }
    }
    #expect(silent == [], "truncations nobody noticed in \(file): \(silent)")
    #expect(clean >= 1)
  }

  @Test(arguments: samples)
  func pipeDeliveryKeepsTheVerdictOfCorruptedSamples(_ file: String) throws {
    var bytes = try Corpus.bytes(Corpus.realFile(file))
    bytes[bytes.count / 2] ^= 0x10
    let whole = Run.verify(bytes, name: "sample.xb"), drip = Run.verify(bytes, name: "sample.xb", step: 7)
    #expect(drip.findings == whole.findings)
    #expect(whole.verdict == .failed)
  }
}
