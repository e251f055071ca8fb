import Formats

/// The state one verification run shares across all its layers: options, member records, findings.
/// Single-threaded: every layer of one input runs on the thread that feeds it.
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

  public init(options: VerifyOptions) { self.options = options }

  func add(_ f: Finding) { findings.append(f) }

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
