import Testing
import Formats
import TestSupport
@testable import Inspect

/// Jobs that decode or decrypt ahead are bounded per input (``Session/maxOffloadJobs``), however
/// many members interleave: past the bound a layer works inline, with the same report.
@Suite struct OffloadBoundTests {
  static let key = Array("0123456789abcdef0123456789ABCDEF".utf8)

  /// `members` members of `blocks` KiB each, `.qp` (stored 1 KiB blocks) or `.xbcrypt` (1 KiB
  /// chunks), fed to the xbstream in 4 KiB chunks, round-robin: every member's layer is mid-file
  /// at once.
  static func interleaved(members: Int, blocks: Int, suffix: String = ".qp") -> (stream: [UInt8], data: [[UInt8]]) {
    let data = (0..<members).map { m in (0..<(blocks * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ m &* 7) } }
    let archives = data.enumerated().map { m, d in
      if suffix == ".xbcrypt" { return XbcryptWriter.file(d, key: Self.key, chunkSize: 1024, seed: "m\(m)") }
      var q = QpressBuilder(chunkSize: 1024)
      q.storedFile("t\(m).dat", d, chunk: 1024)
      return q.bytes
    }
    var s = StreamBuilder()
    var offsets = [Int](repeating: 0, count: members)
    while offsets.enumerated().contains(where: { $1 < archives[$0].count }) {
      for m in 0..<members where offsets[m] < archives[m].count {
        let n = min(4096, archives[m].count - offsets[m])
        s.payload("t\(m).dat" + suffix, Array(archives[m][offsets[m]..<(offsets[m] + n)]), offset: UInt64(offsets[m]))
        offsets[m] += n
      }
    }
    for m in 0..<members { s.eof("t\(m).dat" + suffix) }
    return (s.bytes, data)
  }

  static func run(_ bytes: [UInt8], parallel: Bool, keys: [KeyMaterial] = [KeyMaterial(bytes: OffloadBoundTests.key, source: "test")])
    -> (InputReport, Session) {
    var options = VerifyOptions()
    options.parallel = parallel
    options.keys = keys
    let session = Session(options: options)
    var source = MemorySource(bytes)
    let report = Verifier.verify(source: &source, name: "s.xb", path: "s.xb", session: session)
    return (report, session)
  }

  @Test(arguments: [".qp", ".xbcrypt"])
  func interleavedMembersShareTheBound(suffix: String) {
    // 8 layers could each keep InOrderOffload.lag + 1 = 25 jobs: 200, over the bound of 128.
    let (stream, data) = Self.interleaved(members: 8, blocks: 40, suffix: suffix)
    let (parallel, session) = Self.run(stream, parallel: true)
    #expect(session.offloadJobsPeak == Session.maxOffloadJobs)
    #expect(session.offloadJobs == 0)  // every layer gave its jobs back when it finished
    #expect(parallel.verdict == .verified)
    let sizes = Dictionary(uniqueKeysWithValues: parallel.members.map { ($0.path, $0) })
    for (m, d) in data.enumerated() {
      #expect(sizes["t\(m).dat"]?.size == UInt64(d.count))
      #expect(sizes["t\(m).dat"]?.sha256 == SHA256.hash(d).hexString)
    }
    // The layers past the bound decode inline: the report is the one-thread report.
    let (serial, serialSession) = Self.run(stream, parallel: false)
    #expect(serialSession.offloadJobsPeak == Session.maxOffloadJobs)
    #expect(ParallelReadTests.essence(parallel) == ParallelReadTests.essence(serial))
  }

  @Test func sequentialMembersReuseTheirJobs() {
    // One member after another: each layer returns its jobs when it finishes.
    var s = StreamBuilder()
    for m in 0..<6 {
      var q = QpressBuilder(chunkSize: 1024)
      q.storedFile("t\(m).dat", [UInt8](repeating: UInt8(m), count: 40 * 1024), chunk: 1024)
      s.file("t\(m).dat.qp", q.bytes)
    }
    let (r, session) = Self.run(s.bytes, parallel: true)
    #expect(r.verdict == .verified && r.members.map(\.path) == (0..<6).map { "t\($0).dat" })
    #expect(session.offloadJobsPeak == InOrderOffload.lag + 1)
    #expect(session.offloadJobs == 0)
  }

  /// A layer whose upstream breaks is never finished (what it was fed is incomplete): it is released
  /// instead, and must give back its jobs and free its blocks in flight. Its conclude closures held it
  /// (through its own offload) until the fuzzer's LeakSanitizer caught it on this real sample cut at
  /// 256 KiB, where the xbcrypt layer over `ibdata1.qp` ends in a truncated chunk.
  @Test(arguments: [true, false])
  func abandonedLayerGivesItsJobsBack(parallel: Bool) throws {
    let file = "ali_enc_tiny_partial_qp_xbcrypt.xb"
    let cut = Array(try Corpus.bytes(Corpus.realFile(file)).prefix(256 << 10))
    let keys = try Corpus.key(for: try #require(Corpus.expectation(file)))
    let (r, session) = Self.run(cut, parallel: parallel, keys: keys)
    #expect(r.findings.contains { $0.code == "xbcrypt.truncated" })
    #expect(session.offloadJobsPeak > 0)
    #expect(session.offloadJobs == 0)
  }
}
