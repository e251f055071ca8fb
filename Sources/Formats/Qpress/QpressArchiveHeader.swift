/// The 16-byte header of a qpress archive (spec §3.1, rule Q1).
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 8 | magic `qpress10` |
/// | 8 | 8 | chunk_size (u64 LE): the most uncompressed bytes one block holds |
///
/// chunk_size must be 1…``QpressLimits/maxChunkSize`` (qpress refuses more); the parse never
/// allocates from it.
public struct QpressArchiveHeader: Equatable, Sendable {
  public static let magic: [UInt8] = Array("qpress10".utf8)
  public static let length = 16

  public var chunkSize: UInt64

  public init(chunkSize: UInt64) { self.chunkSize = chunkSize }

  /// Parses the header from the archive's first bytes. Pure.
  ///
  /// - Throws: ``QpressError/badMagic(offset:found:)`` (offset 0) or
  ///   ``QpressError/badChunkSize(offset:chunkSize:)`` (offset 8).
  public static func parse(_ bytes: [UInt8], at offset: Int64 = 0) throws(QpressError) -> QpressParseStep<QpressArchiveHeader> {
    guard bytes.count >= length else {
      if bytes.count >= 8, !bytes.hasBytes(magic) { throw .badMagic(offset: offset, found: Array(bytes.prefix(8))) }
      return .needMore(length)
    }
    guard bytes.hasBytes(magic) else { throw .badMagic(offset: offset, found: Array(bytes.prefix(8))) }
    let size = bytes.le64(at: 8)
    guard size > 0, size <= QpressLimits.maxChunkSize else { throw .badChunkSize(offset: offset + 8, chunkSize: size) }
    return .complete(QpressArchiveHeader(chunkSize: size))
  }
}
