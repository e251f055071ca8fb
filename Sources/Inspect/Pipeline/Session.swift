import Foundation
import Formats

/// The state one verification run shares across all its layers: options, member records, findings.
/// Single-threaded: every layer of one input runs on one thread (the caller's, or the layers thread
/// of the parallel read path); only member digests may be computed elsewhere (``digestOffload``),
/// and they are written back before the report is assembled.
public final class Session {
  public let options: VerifyOptions
  public private(set) var members: [MemberRecord] = []
  public private(set) var findings: [Finding] = []
  /// Facts about the whole input (outer layers, dialect), for the report.
  public private(set) var facts: [String: String] = [:]
  /// Number of records that hit ``VerifyLimits/maxMembers`` (reported once).
  private var memberLimitReported = false
  /// IVs seen under each key (xbcrypt reuse check across the backup), owned by the xbcrypt layer.
  public var sharedState: [String: AnyObject] = [:]

  /// The thread member digests are computed on (parallel runs with digests), nil: inline.
  let digestOffload: DigestOffload?
  /// What the progress line shows; written by the layers, read by the reading thread.
  let progress = ProgressNote()
  /// Threads that decrypt and decode ahead for the layers (``InOrderOffload``); nil: serial run.
  private(set) lazy var blockHelpers: WorkerPool? =
    options.parallel ? WorkerPool(name: "xbi-blocks", threads: Self.blockHelperCount) : nil
  /// One per core of the machines this runs on (2): both can hash while the layers thread parses.
  static let blockHelperCount = 2

  /// Jobs that decrypt or decode ahead (``InOrderOffload``) alive across all layers of this input:
  /// in flight, or kept by a layer for reuse. Each holds one chunk or packet of at most 256 KiB and
  /// its output, so the count bounds their memory however many members interleave (a layer past
  /// the bound works inline, with the same result). Four interleaved members at full lag fit.
  static let maxOffloadJobs = 128
  private(set) var offloadJobs = 0
  private(set) var offloadJobsPeak = 0

  /// Takes one job from ``maxOffloadJobs``; false when all are taken.
  func takeOffloadJob() -> Bool {
    guard offloadJobs < Self.maxOffloadJobs else { return false }
    offloadJobs += 1
    offloadJobsPeak = max(offloadJobsPeak, offloadJobs)
    return true
  }

  /// Gives back `count` jobs (through a layer's ``OffloadJobPool``, when it finishes or is released).
  func returnOffloadJobs(_ count: Int) { offloadJobs -= count }

  public init(options: VerifyOptions) {
    self.options = options
    digestOffload = options.parallel && options.computeDigests ? DigestOffload() : nil
  }

  func add(_ f: Finding) { findings.append(f) }

  /// Ends the helper threads (after the layers finished).
  func stopHelpers() {
    digestOffload?.stop()
    if blockHelpersStarted { blockHelpers?.stop() }
  }

  /// An offload for a layer's per-block work, on this run's helpers.
  func makeOffload() -> InOrderOffload {
    blockHelpersStarted = true
    return InOrderOffload(helpers: blockHelpers)
  }
  private var blockHelpersStarted = false

  func newMember(storedPath: String, parent: MemberRecord?) -> MemberRecord? {
    guard members.count < VerifyLimits.maxMembers else {
      if !memberLimitReported {
        memberLimitReported = true
        add(Finding(code: "limit.members", severity: .error, category: .evaluation, layer: "engine",
                    message: "more than \(VerifyLimits.maxMembers) members; later members are not tracked"))
      }
      return nil
    }
    let r = MemberRecord(id: members.count, storedPath: storedPath, parentID: parent?.id)
    members.append(r)
    return r
  }

  public func setFact(_ key: String, _ value: String) { facts[key] = value }

  /// Findings of `severity` or worse reported for `member` so far.
  public func findings(for member: MemberRecord, atLeast severity: Severity = .error) -> [Finding] {
    findings.filter { $0.memberID == member.id && $0.severity <= severity }
  }
}

/// What a progress line shows besides the byte count: the top-level member being read. Written by
/// the layers, read by the reading thread, hence the lock.
public final class ProgressNote: @unchecked Sendable {
  private let lock = NSLock()
  private var _member: String?

  public var member: String? { lock.lock(); defer { lock.unlock() }; return _member }
  func set(member: String) { lock.lock(); _member = member; lock.unlock() }
}
