/// Something a tar reader notices that is not a structural error; the caller decides its weight.
public enum TarNotice: Equatable, Sendable {
  /// One zero block not followed by a second (GNU tar warns "A lone zero block").
  case loneZeroBlock(offset: Int64)
  /// A header after the end-of-archive blocks: another archive appended (`tar -i` reads it, plain
  /// `tar -x` stops before it).
  case archiveAfterEnd(offset: Int64)
  /// The stream ended at a block boundary without the two zero blocks that end an archive.
  case missingEndOfArchive(offset: Int64)
  /// A header whose checksum matched only as a sum of signed bytes.
  case signedChecksum(offset: Int64)
  /// A pax record this reader does not apply (e.g. `GNU.sparse.*`), or a global 'g' header.
  case ignoredPaxRecord(offset: Int64, key: String)
}
