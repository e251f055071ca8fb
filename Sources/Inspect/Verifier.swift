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

/// Verifies one input end to end: reads it in bounded blocks, hashes it, and pushes it through the
/// layer pipeline chosen by its magic bytes.
public enum Verifier {
  /// Bytes read from the input per call.
  public static let readBlockSize = 1 << 20

  public static func verify(source: inout some ByteSource, name: String, path: String,
                            options: VerifyOptions, progress: ((UInt64) -> Void)? = nil) -> InputReport {
    let started = Date()
    let session = Session(options: options)
    let root = session.newMember(storedPath: name, parent: nil)!
    let context = LayerContext(session: session, parent: nil, member: root, depth: 0)
    let sniffer = LayerSniffer(context: context)
    let hasher = options.computeDigests ? BlockHasher(blockSize: readBlockSize) : nil
    let spare = hasher == nil ? UnsafeMutableRawBufferPointer.allocate(byteCount: readBlockSize, alignment: 64) : nil
    defer { spare?.deallocate() }
    var size: UInt64 = 0
    readLoop: while true {
      let buffer = hasher?.takeBuffer() ?? spare!
      let result = Result { () throws(IOError) -> Int in try source.read(into: buffer) }
      switch result {
      case .success(let n):
        if n == 0 { hasher?.giveBack(buffer); break readLoop }
        hasher?.hash(buffer, count: n)
        sniffer.consume(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
        size += UInt64(n)
        progress?(size)
      case .failure(let e):
        hasher?.giveBack(buffer)
        context.layer = "input"
        context.report("input.read_error", .error, category: .evaluation, at: Int64(size),
                       "reading the input failed after \(size) bytes: \(e)")
        break readLoop
      }
    }
    sniffer.finish()
    checkNameCollisions(session)
    BackupMetadataChecks.run(session)
    return assemble(session: session, root: root, name: name, path: path, size: size,
                    sha256: hasher?.finish().hexString, started: started)
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
