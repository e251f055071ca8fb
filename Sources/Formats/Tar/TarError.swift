/// A structural error in a tar stream (POSIX ustar, GNU). Offsets are in the tar stream and point at
/// a header block.
public enum TarError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The header's checksum field matches neither the unsigned nor the signed sum of its bytes.
  case badChecksum(offset: Int64, stored: String, unsignedSum: UInt32, signedSum: Int32)
  /// A numeric field that is neither octal nor base-256 (or a negative size).
  case badNumber(offset: Int64, field: String, found: [UInt8])
  /// A GNU long name or pax header larger than ``TarLimits/maxSpecialEntrySize``.
  case specialEntryTooLarge(offset: Int64, type: UInt8, size: UInt64)
  /// A pax record that does not follow `LEN key=value\n`.
  case badPaxRecord(offset: Int64, detail: String)
  /// The stream ended inside `structure` of the entry whose first header is at `offset`.
  case truncated(offset: Int64, structure: String)
  /// Bytes after the end-of-archive blocks that are neither zeros nor a valid header.
  case trailingGarbage(offset: Int64, count: UInt64)

  public var description: String {
    switch self {
    case let .badChecksum(o, stored, u, s):
      "header checksum mismatch in the tar header at \(o): stored \(stored), computed \(String(u, radix: 8)) (signed \(String(s, radix: 8)))"
    case let .badNumber(o, field, found): "tar header at \(o): field \(field) is not a number: \(ByteText.preview(found))"
    case let .specialEntryTooLarge(o, t, size):
      "tar \(ByteText.character(t)) header at \(o) declares \(size) bytes, above the limit of \(TarLimits.maxSpecialEntrySize)"
    case let .badPaxRecord(o, detail): "pax extended header at \(o): \(detail)"
    case let .truncated(o, s): "tar stream truncated in the \(s) of the entry at \(o)"
    case let .trailingGarbage(o, n): "\(n) bytes after the end-of-archive blocks at \(o) are not a tar header"
    }
  }
}
