/// A structural error in an LZ4 frame stream. Offsets are in the compressed stream: a frame's magic,
/// or a block's 4-byte size field.
public enum LZ4Error: Error, Equatable, Sendable, CustomStringConvertible {
  /// FLG or BD field not valid (`field` says which rule: version, reserved bits, block size code).
  case badHeader(frameOffset: Int64, field: String, expected: String, found: String)
  /// A frame that needs a dictionary (never written by xtrabackup; none can be supplied).
  case dictionaryRequired(frameOffset: Int64, id: UInt32)
  /// liblz4 rejected the header checksum byte (HC).
  case headerChecksum(frameOffset: Int64)
  /// Decoded bytes differ from the frame's content size field.
  case contentSizeMismatch(frameOffset: Int64, declared: UInt64, decoded: UInt64)
  case contentChecksum(frameOffset: Int64)
  case blockChecksum(frameOffset: Int64, blockOffset: Int64)
  /// liblz4 could not decode (its error name).
  case corrupt(frameOffset: Int64, blockOffset: Int64?, name: String)
  case truncated(frameOffset: Int64, structure: String)
  case trailingGarbage(offset: Int64, count: UInt64, preview: [UInt8])

  public var description: String {
    switch self {
    case let .badHeader(o, field, e, f): "LZ4 frame at \(o): \(field) is \(f), expected \(e)"
    case let .dictionaryRequired(o, id): "LZ4 frame at \(o) needs dictionary \(id), which xtrabackup never uses"
    case let .headerChecksum(o): "LZ4 frame at \(o): header checksum (HC) does not match the frame descriptor"
    case let .contentSizeMismatch(o, d, n): "LZ4 frame at \(o) declares \(d) content bytes but decodes to \(n)"
    case let .contentChecksum(o): "LZ4 frame at \(o): content checksum (xxHash32) does not match the decoded bytes"
    case let .blockChecksum(o, b): "LZ4 frame at \(o): block checksum of the block at \(b) does not match"
    case let .corrupt(o, b, name): "LZ4 frame at \(o)\(b.map { ", block at \($0)" } ?? "") cannot be decoded: \(name)"
    case let .truncated(o, s): "LZ4 frame at \(o) truncated in its \(s)"
    case let .trailingGarbage(o, n, p): "\(n) bytes after the last LZ4 frame at \(o) are not a frame (starting \(ByteText.preview(p)))"
    }
  }
}
