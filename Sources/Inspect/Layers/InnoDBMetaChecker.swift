import Formats

/// Parses an incremental backup's `<tablespace>.meta` (spec §6.3, rule B6): `page_size`, `zip_size`,
/// `space_id` must be there and sane. Keeps the result for the `.delta` that follows it.
final class InnoDBMetaChecker: ByteConsumer {
  static func applies(to path: String) -> Bool { path.hasSuffix(".meta") && path.count > 5 }

  private let context: LayerContext
  private var text: [UInt8] = []
  private var size = 0

  init(context: LayerContext) { self.context = context }

  func consume(_ bytes: UnsafeRawBufferPointer) {
    size += bytes.count
    if text.count <= InnoDBLimits.maxMetaLength { text.append(contentsOf: bytes.prefix(InnoDBLimits.maxMetaLength + 1 - text.count)) }
  }

  func finish() {
    guard let member = context.member else { return }
    do throws(InnoDBDeltaError) {
      guard size <= InnoDBLimits.maxMetaLength else {
        throw .metaTooLong(length: size, limit: InnoDBLimits.maxMetaLength)
      }
      let meta = try InnoDBDeltaMeta(parsing: text)
      InnoDBDeltaState.shared(context.session).record(meta, for: InnoDBDeltaState.tablespaceKey(member, suffix: ".meta"))
      member.setFact("innodb.meta.page_size", String(meta.pageSize))
      member.setFact("innodb.meta.zip_size", String(meta.zipSize))
      member.setFact("innodb.meta.space_id", String(meta.spaceID))
    } catch {
      context.report(innodb: "innodb.meta_invalid", .error, at: 0, "incremental .meta unusable: \(error)")
    }
  }
}
