import Formats

/// What the `.meta` files of one input said, for the `.delta` beside each (shared across members
/// through ``Session/sharedState``). The writers stream a `.meta` before its `.delta`.
final class InnoDBDeltaState {
  static let key = "innodb.delta"
  private var metas: [String: InnoDBDeltaMeta] = [:]

  static func shared(_ session: Session) -> InnoDBDeltaState {
    if let s = session.sharedState[key] as? InnoDBDeltaState { return s }
    let s = InnoDBDeltaState()
    session.sharedState[key] = s
    return s
  }

  /// `parent/tablespace` for a member `tablespace.delta` or `tablespace.meta`.
  static func tablespaceKey(_ member: MemberRecord, suffix: String) -> String {
    "\(member.parentID ?? -1)/\(member.path.dropLast(suffix.count))"
  }

  func record(_ meta: InnoDBDeltaMeta, for key: String) { metas[key] = meta }
  func meta(for key: String) -> InnoDBDeltaMeta? { metas[key] }
}
