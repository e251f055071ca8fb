/// A problem that stops the reading of a qpress archive. Offsets count bytes from the archive start
/// and point at the failing structure (the header field, the item tag, the block marker).
public enum QpressError: Error, Equatable, Sendable {
  /// The first 8 bytes are not `qpress10` (rule Q1). `found` holds them.
  case badMagic(offset: Int64, found: [UInt8])
  /// chunk_size 0 or over ``QpressLimits/maxChunkSize`` (rule Q1); `offset` is the field's (8).
  case badChunkSize(offset: Int64, chunkSize: UInt64)
  /// An item tag other than `D`, `U`, `F` (rule Q2).
  case badItemTag(offset: Int64, tag: UInt8)
  /// A name length over ``QpressLimits/maxNameLength`` (rule Q3).
  case nameTooLong(offset: Int64, length: UInt32)
  /// More than ``QpressLimits/maxDirectoryDepth`` nested `D` items.
  case directoriesTooDeep(offset: Int64, depth: Int)
  /// Neither `NEWBNEWB` nor `ENDSENDS` where a block or a file trailer must start (rule Q4).
  case badMarker(offset: Int64, found: [UInt8])
  /// Packet length shorter than its own header, or over chunk_size + 400 (rule Q7).
  case badPacketLength(offset: Int64, length: UInt32, minimum: Int, maximum: UInt64)
  /// A packet over ``QpressLimits/maxBufferedPacket``: not read (our limit, not the format's).
  case blockOverLimit(offset: Int64, length: UInt32)
  /// The input ended inside a structure (rule Q7/Q11). `offset` is the structure's start.
  case truncated(offset: Int64, structure: String, needed: UInt64, available: UInt64)
  /// The input ended between blocks of a file, before its `ENDSENDS` trailer (rule Q11).
  case missingTrailer(offset: Int64, name: [UInt8])

  public var offset: Int64 {
    switch self {
    case let .badMagic(o, _), let .badChunkSize(o, _), let .badItemTag(o, _), let .nameTooLong(o, _),
         let .directoriesTooDeep(o, _), let .badMarker(o, _), let .badPacketLength(o, _, _, _),
         let .blockOverLimit(o, _), let .truncated(o, _, _, _), let .missingTrailer(o, _): o
    }
  }
}

extension QpressError: CustomStringConvertible {
  public var description: String {
    switch self {
    case let .badMagic(_, found): "bad archive magic: expected \"qpress10\", found \(ByteText.preview(found))"
    case let .badChunkSize(_, size):
      size == 0 ? "archive chunk_size is 0"
        : "archive chunk_size \(size) exceeds the limit of \(QpressLimits.maxChunkSize) (512 MiB, qpress rejects it)"
    case let .badItemTag(_, tag): "item tag \(ByteText.character(tag)) is not D, U or F"
    case let .nameTooLong(_, length): "name length \(length) exceeds the limit of \(QpressLimits.maxNameLength) bytes"
    case let .directoriesTooDeep(_, depth): "directories nested \(depth) deep, over the limit of \(QpressLimits.maxDirectoryDepth)"
    case let .badMarker(_, found): "expected a block marker NEWBNEWB or a file trailer ENDSENDS, found \(ByteText.preview(found))"
    case let .badPacketLength(_, length, minimum, maximum):
      "QuickLZ packet length \(length) (0x\(String(length, radix: 16, uppercase: true))) is outside \(minimum)…\(maximum) (chunk_size + 400)"
    case let .blockOverLimit(_, length):
      "QuickLZ packet length \(length) exceeds this reader's buffer limit of \(QpressLimits.maxBufferedPacket) bytes; not read"
    case let .truncated(_, structure, needed, available):
      "truncated: the input ends inside the \(structure): expected \(needed) bytes, found \(available)"
    case let .missingTrailer(_, name):
      "truncated: the input ends before the ENDSENDS trailer of file \(ByteText.displayPath(name))"
    }
  }
}
