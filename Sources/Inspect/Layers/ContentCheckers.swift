import Formats

/// Chooses the checks that run on a member's final bytes, by its final name.
enum ContentCheckers {
  static func make(for member: MemberRecord, context: LayerContext) -> [ByteConsumer] {
    var checks: [ByteConsumer] = []
    if MetadataCapture.applies(to: member.path) { checks.append(MetadataCapture(context: context)) }
    return checks
  }
}
