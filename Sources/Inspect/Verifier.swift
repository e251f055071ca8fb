import Foundation
import Formats

/// The outcome of verifying one input.
public enum Verdict: String, Codable, Sendable {
  /// Every check passed (warnings allowed): exit 0.
  case verified
  /// Integrity errors: exit 1.
  case failed
  /// Policy not met (audit): exit 4.
  case nonCompliant = "non_compliant"
  /// Something could not be evaluated: exit 3.
  case incomplete

  /// The DEVELOPERS.md exit code; when several apply the first of 1, 4, 3 wins.
  public var exitCode: Int32 {
    switch self { case .verified: 0; case .failed: 1; case .nonCompliant: 4; case .incomplete: 3 }
  }

  public static func of(_ findings: [Finding]) -> Verdict {
    let errors = findings.filter { $0.severity == .error }
    if errors.contains(where: { $0.category == .integrity }) { return .failed }
    if errors.contains(where: { $0.category == .policy }) { return .nonCompliant }
    if errors.contains(where: { $0.category == .evaluation }) { return .incomplete }
    return .verified
  }
}

/// Everything found about one input, ready for the report writers.
public struct InputReport: Sendable {
  public struct Member: Sendable, Codable, Equatable {
    public var path: String
    public var storedAs: String
    public var container: String?
    public var layers: [String]
    /// Every layer from the outermost input in, e.g. `xbstream > xbcrypt v3 > qpress L1`.
    public var layerStack: String
    public var innerLayer: String
    public var storedSize: UInt64
    public var size: UInt64?
    public var sha256: String?
    public var digestNote: String?
    public var chunks: Int
    public var sparse: Bool
    public var renamedFrom: String?
    public var proofs: [String]
    public var facts: [String: String]
    public var status: String
    /// Errors / warnings for this member.
    public var errors: Int
    public var warnings: Int
  }

  public var name: String
  public var path: String
  public var size: UInt64
  public var sha256: String?
  public var startedAt: Date
  public var endedAt: Date
  /// Outer layers of the input, e.g. `["gzip", "xbstream"]`.
  public var layers: [String]
  public var facts: [String: String]
  /// The members the backup finally holds, in stream order.
  public var members: [Member]
  /// Members deleted or replaced within the stream (MariaDB `D`, REWRITE, duplicates).
  public var dropped: [Member]
  public var findings: [Finding]
  public var verdict: Verdict { Verdict.of(findings) }
  public var seconds: Double { endedAt.timeIntervalSince(startedAt) }
}

/// How far a run is: bytes read from the input, and the top-level member the layers are reading.
public struct VerifyProgress: Sendable {
  public var bytesRead: UInt64
  public var member: String?
}

/// Verifies one input end to end: reads it in bounded blocks, hashes it, and pushes it through the
/// layer pipeline chosen by its magic bytes.
///
/// Two read paths give the same report (tests compare them on the corpus):
/// - **parallel** (the default, ``VerifyOptions/parallel``): this thread only reads; the layers run
///   on a thread of their own, the input SHA-256 on another and member SHA-256s on a third
///   (``DigestOffload``), all fed in order through bounded buffer pools. The layers still see the
///   pieces in the order and sizes they were read, on one thread, so findings never depend on timing.
/// - **serial**: everything on the caller's thread (`--single-thread`).
public enum Verifier {
  /// Bytes read from the input per call.
  public static let readBlockSize = 1 << 20
  /// Input buffers in flight on the parallel path (memory: this × ``readBlockSize``).
  static let inputBufferCount = 6
  /// Reads batched into one input buffer before it is handed over (small reads: pipes, drip feeds).
  static let maxPiecesPerBuffer = 4096

  public static func verify(source: inout some ByteSource, name: String, path: String,
                            options: VerifyOptions, progress: ((VerifyProgress) -> Void)? = nil) -> InputReport {
    verify(source: &source, name: name, path: path, session: Session(options: options), progress: progress)
  }

  /// The same, in a session the caller keeps (tests read its counters afterwards).
  static func verify(source: inout some ByteSource, name: String, path: String, session: Session,
                     progress: ((VerifyProgress) -> Void)? = nil) -> InputReport {
    let options = session.options
    let started = Date()
    let root = session.newMember(storedPath: name, parent: nil)!
    let context = LayerContext(session: session, parent: nil, member: root, depth: 0)
    let sniffer = LayerSniffer(context: context)
    let note = session.progress
    let tick: ((UInt64) -> Void)? = progress.map { p in { p(VerifyProgress(bytesRead: $0, member: note.member)) } }
    let (size, readError, digest) = options.parallel
      ? readInParallel(&source, into: sniffer, digests: options.computeDigests, progress: tick)
      : readSerially(&source, into: sniffer, digests: options.computeDigests, progress: tick)
    if let readError {
      context.layer = "input"
      context.report("input.read_error", .error, category: .evaluation, at: Int64(size),
                     "reading the input failed after \(size) bytes: \(readError)")
    }
    sniffer.finish()
    session.stopHelpers()
    checkNameCollisions(session)
    BackupMetadataChecks.run(session)
    return assemble(session: session, root: root, name: name, path: path, size: size,
                    sha256: digest?.hexString, started: started)
  }

  /// Reads, hashes and runs the layers on this thread. Returns the bytes read, the read error that
  /// ended the input early, and the input's SHA-256.
  private static func readSerially(_ source: inout some ByteSource, into sniffer: LayerSniffer, digests: Bool,
                                   progress: ((UInt64) -> Void)?) -> (UInt64, IOError?, [UInt8]?) {
    let sha = digests ? SHA256() : nil
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readBlockSize, alignment: 64)
    defer { buffer.deallocate() }
    var size: UInt64 = 0
    while true {
      let n: Int
      do { n = try source.read(into: buffer) } catch { return (size, error, sha?.finalize()) }
      if n == 0 { break }
      let piece = UnsafeRawBufferPointer(rebasing: buffer[..<n])
      sha?.update(piece)
      sniffer.consume(piece)
      size += UInt64(n)
      progress?(size)
    }
    return (size, nil, sha?.finalize())
  }

  /// Reads on this thread while the layers and the input digest run on their own threads.
  ///
  /// Each input buffer is filled by one or more reads (a pipe gives what it has) and handed to both
  /// workers with the list of read sizes, so the layers get exactly the pieces that were read. The
  /// workers are stopped (their queues drained) before this returns.
  private static func readInParallel(_ source: inout some ByteSource, into sniffer: LayerSniffer, digests: Bool,
                                     progress: ((UInt64) -> Void)?) -> (UInt64, IOError?, [UInt8]?) {
    let pool = BufferPool(count: inputBufferCount, size: readBlockSize)
    let layers = WorkerPool(name: "xbi-layers")
    let hasher = digests ? WorkerPool(name: "xbi-in-digest") : nil
    let sha = digests ? SHA256() : nil
    var size: UInt64 = 0
    var failure: IOError?
    var ended = false
    while !ended {
      let buffer = pool.take()
      var filled = 0
      var pieces: [Int] = []
      while filled < buffer.count && pieces.count < maxPiecesPerBuffer {
        let n: Int
        do { n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])) } catch {
          failure = error; ended = true; break
        }
        if n == 0 { ended = true; break }
        pieces.append(n)
        filled += n
        size += UInt64(n)
        progress?(size)
      }
      guard filled > 0 else { pool.release(buffer); break }
      handOver(buffer, filled: filled, pieces: pieces, pool: pool, layers: layers, sniffer: sniffer, hasher: hasher, sha: sha)
    }
    hasher?.stop()
    layers.stop()
    return (size, failure, sha?.finalize())
  }

  /// Queues one filled input buffer for the input digest and the layers; the last to finish frees it.
  private static func handOver(_ buffer: UnsafeMutableRawBufferPointer, filled: Int, pieces: [Int], pool: BufferPool,
                               layers: WorkerPool, sniffer: LayerSniffer, hasher: WorkerPool?, sha: SHA256?) {
    let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<filled])
    if let hasher, let sha {
      pool.hold(buffer, by: 2)
      hasher.submit { sha.update(bytes); pool.release(buffer) }
    }
    layers.submit {
      var at = 0
      for n in pieces {
        sniffer.consume(UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)]))
        at += n
      }
      pool.release(buffer)
    }
  }

  /// Rule B7: two kept members of one container with the same final name (`x.ibd` and `x.ibd.qp`).
  private static func checkNameCollisions(_ session: Session) {
    var seen: [String: MemberRecord] = [:]
    for r in session.members where r.role == .content && r.fate == .kept {
      let key = "\(r.parentID ?? -1)/\(r.path)"
      if let first = seen[key] {
        var f = Finding(code: "member.name_collision", severity: .warning, layer: "engine", message:
          "members \(first.storedPath) and \(r.storedPath) both become \(r.path) once their layers are peeled")
        f.memberID = r.id
        session.add(f)
      } else {
        seen[key] = r
      }
    }
  }

  static func assemble(session: Session, root: MemberRecord, name: String, path: String, size: UInt64,
                       sha256: String?, started: Date) -> InputReport {
    let byID = session.members
    var findings = session.findings
    for i in findings.indices {
      if let id = findings[i].memberID, id < byID.count, id != root.id || root.role == .content {
        findings[i].member = byID[id].storedPath
        findings[i].memberFinal = byID[id].path
      }
    }
    /// The containers' layers from the root down, then the member's own (without the final "plain").
    func stack(_ r: MemberRecord) -> String {
      var chain: [String] = []
      var parent = r.parentID
      while let p = parent, p < byID.count { chain.insert(contentsOf: byID[p].layers, at: 0); parent = byID[p].parentID }
      let own = r.layers.last == "plain" ? Array(r.layers.dropLast()) : r.layers
      return (chain + own).joined(separator: " > ")
    }
    func member(_ r: MemberRecord) -> InputReport.Member {
      let own = findings.filter { $0.memberID == r.id }
      return InputReport.Member(
        path: r.path, storedAs: r.storedPath, container: r.parentID.map { byID[$0].storedPath },
        layers: r.layers, layerStack: stack(r), innerLayer: r.innerLayer ?? "plain", storedSize: r.storedSize, size: r.size,
        sha256: r.digestNote == nil ? r.sha256 : nil, digestNote: r.digestNote, chunks: r.chunkCount,
        sparse: r.isSparse, renamedFrom: r.renamedFrom, proofs: r.proofs, facts: r.facts, status: r.fate.rawValue,
        errors: own.filter { $0.severity == .error }.count, warnings: own.filter { $0.severity == .warning }.count)
    }
    let contents = byID.filter { $0.role == .content }
    return InputReport(
      name: name, path: path, size: size, sha256: sha256, startedAt: started, endedAt: Date(),
      layers: root.layers, facts: session.facts,
      members: contents.filter { $0.fate == .kept }.map(member),
      dropped: contents.filter { $0.fate != .kept }.map(member),
      findings: findings)
  }
}

extension InputReport {
  /// A report for an input that could not be opened: one evaluation finding, exit 3.
  public static func unreadable(name: String, path: String, reason: String) -> InputReport {
    let now = Date()
    return InputReport(name: name, path: path, size: 0, sha256: nil, startedAt: now, endedAt: now, layers: [],
                       facts: [:], members: [], dropped: [],
                       findings: [Finding(code: "input.unreadable", severity: .error, category: .evaluation,
                                          layer: "input", message: reason)])
  }
}
