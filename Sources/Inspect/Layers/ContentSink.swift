import Formats

/// The end of a member's pipeline: its final bytes. Counts them, hashes them (unless digests are
/// off; on the digest thread in parallel runs, ``MemberDigest``) and runs the content checks that
/// apply to the member's name (``ContentCheckers``).
final class ContentSink: ByteConsumer {
  private let context: LayerContext
  private let digest: MemberDigest?
  private var size: UInt64 = 0
  private let checkers: [ByteConsumer]
  private var overLimit = false

  init(context: LayerContext) {
    self.context = context
    digest = context.options.computeDigests ? MemberDigest(offload: context.session.digestOffload) : nil
    checkers = context.member.map { ContentCheckers.make(for: $0, context: context) } ?? []
  }

  func consume(_ bytes: UnsafeRawBufferPointer) {
    guard !overLimit else { return }
    size += UInt64(bytes.count)
    if size > context.options.maxMemberSize {
      overLimit = true
      context.report("limit.member_size", .error, category: .evaluation, at: Int64(size) - Int64(bytes.count),
                     "content exceeds --max-member-size \(context.options.maxMemberSize); the rest is not verified")
      return
    }
    digest?.update(bytes)
    for c in checkers { c.consume(bytes) }
  }

  func finish() {
    for c in checkers { c.finish() }
    guard let member = context.member else { return }
    member.setDigest(size: size, sha256: nil)
    if !overLimit { digest?.finish { member.sha256 = $0 } }
    if member.layers.isEmpty || member.layers.last != "plain" { member.layers.append("plain") }
  }
}
