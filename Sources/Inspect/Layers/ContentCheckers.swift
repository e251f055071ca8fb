import Formats

/// Chooses the checks that run on a member's final bytes, by its final name.
enum ContentCheckers {
  static func make(for member: MemberRecord, context: LayerContext) -> [ByteConsumer] {
    var checks: [ByteConsumer] = []
    if MetadataCapture.applies(to: member.path) { checks.append(MetadataCapture(context: context)) }
    if InnoDBPageChecker.applies(to: member.path) { checks.append(InnoDBPageChecker(context: context)) }
    if InnoDBDeltaChecker.applies(to: member.path) { checks.append(InnoDBDeltaChecker(context: context)) }
    if InnoDBMetaChecker.applies(to: member.path) { checks.append(InnoDBMetaChecker(context: context)) }
    return checks
  }
}
