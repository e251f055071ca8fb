/// A structural error in a gzip stream (RFC 1952). Offsets are in the compressed stream.
public enum GzipError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A member header that is not valid: `field` names what is wrong.
  case badHeader(offset: Int64, field: String, found: String)
  /// FNAME or FCOMMENT longer than its limit in ``GzipLimits``.
  case fieldTooLong(offset: Int64, field: String, limit: Int)
  /// The header CRC-16 (FHCRC) does not match the header bytes.
  case headerCRCMismatch(offset: Int64, stored: UInt16, computed: UInt16)
  /// The deflate data could not be decoded (zlib's message).
  case corruptData(memberOffset: Int64, at: Int64, message: String)
  /// The stream ended inside `structure` of the member starting at `memberOffset`.
  case truncated(memberOffset: Int64, structure: String)
  /// Bytes after the last complete member that do not start a gzip member.
  case trailingGarbage(offset: Int64, count: UInt64, allZero: Bool)

  public var description: String {
    switch self {
    case let .badHeader(o, field, found): "bad gzip member header at \(o): \(field) is \(found)"
    case let .fieldTooLong(o, field, limit): "gzip member at \(o): \(field) longer than the limit of \(limit) bytes"
    case let .headerCRCMismatch(o, s, c): "gzip member at \(o): header CRC-16 stored \(s) but computed \(c)"
    case let .corruptData(m, at, msg): "gzip member at \(m): deflate data corrupt near compressed offset \(at): \(msg)"
    case let .truncated(m, s): "gzip member at \(m) truncated in its \(s)"
    case let .trailingGarbage(o, n, z): "\(n) \(z ? "zero bytes" : "bytes") after the last gzip member at \(o) are not a gzip member"
    }
  }
}
