/// A problem that stops the reading of an xbstream. Offsets are stream offsets of the chunk's magic.
public enum XbstreamError: Error, Equatable, Sendable {
  /// The input ended inside a chunk (rule X1).
  case truncated(offset: Int64, structure: String, needed: UInt64, available: UInt64)
  /// The bytes where a chunk should start are not `XBSTCK01` (rule X2). `found` holds up to 14 bytes.
  case badMagic(offset: Int64, found: [UInt8])
  /// An unknown chunk type without the IGNORABLE flag (rule X3).
  case unknownType(offset: Int64, type: UInt8, flags: UInt8)
  /// path_len (or a rename's new path length) over ``XbstreamLimits/maxPathLength`` (rule X6).
  case pathTooLong(offset: Int64, length: UInt32)
  /// map_count over ``XbstreamLimits/maxSparseMapEntries``.
  case sparseMapTooLarge(offset: Int64, count: UInt32)

  public var offset: Int64 {
    switch self {
    case let .truncated(o, _, _, _), let .badMagic(o, _), let .unknownType(o, _, _), let .pathTooLong(o, _),
         let .sparseMapTooLarge(o, _): o
    }
  }
}

extension XbstreamError: CustomStringConvertible {
  public var description: String {
    switch self {
    case let .truncated(_, structure, needed, available):
      "input ends inside the \(structure) of a chunk: expected \(needed) bytes, found \(available)"
    case let .badMagic(_, found):
      "bad chunk magic: expected \"XBSTCK01\", found \(ByteText.preview(found))"
    case let .unknownType(_, type, flags):
      "unknown chunk type \(ByteText.character(type)) (flags 0x\(String(flags, radix: 16))) without the IGNORABLE flag"
    case let .pathTooLong(_, length): "path length \(length) exceeds the limit of \(XbstreamLimits.maxPathLength) bytes"
    case let .sparseMapTooLarge(_, count): "sparse map of \(count) entries exceeds the limit of \(XbstreamLimits.maxSparseMapEntries)"
    }
  }
}
