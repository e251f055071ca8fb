/// A structural error in a zstd stream (RFC 8878). Offsets are in the compressed stream and point at
/// the frame's magic.
public enum ZstdError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A frame declaring a window larger than ``ZstdLimits/maxWindowSize`` (not decoded).
  case windowTooLarge(frameOffset: Int64, windowSize: UInt64)
  /// The reserved bit of the frame header descriptor is set.
  case reservedBit(frameOffset: Int64, descriptor: UInt8)
  /// A frame the caller's ``ZstdDecoder/admitFrame`` refused (its window does not fit a memory budget).
  case notAdmitted(frameOffset: Int64, windowSize: UInt64)
  /// A frame that needs a dictionary (never written by xtrabackup; none can be supplied).
  case dictionaryRequired(frameOffset: Int64, id: UInt32)
  /// libzstd rejected the frame's data (`name` is libzstd's error name).
  case corrupt(frameOffset: Int64, name: String, isChecksum: Bool)
  /// The stream ended inside the frame starting at `frameOffset`.
  case truncated(frameOffset: Int64, structure: String)
  /// Bytes after the last complete frame that do not start a frame.
  case trailingGarbage(offset: Int64, count: UInt64, preview: [UInt8])

  public var description: String {
    switch self {
    case let .windowTooLarge(o, w): "zstd frame at \(o) declares a \(w)-byte window, above the limit of \(ZstdLimits.maxWindowSize) (zstd -d refuses it too)"
    case let .notAdmitted(o, w): "zstd frame at \(o) needs a \(w)-byte window, more than the memory budget left"
    case let .reservedBit(o, d): "zstd frame at \(o): reserved bit set in the frame header descriptor 0x\(String(d, radix: 16))"
    case let .dictionaryRequired(o, id): "zstd frame at \(o) needs dictionary \(id), which xtrabackup never uses"
    case let .corrupt(o, name, isChecksum):
      isChecksum ? "zstd frame at \(o): content checksum (XXH64) does not match the decoded bytes"
                 : "zstd frame at \(o) cannot be decoded: \(name)"
    case let .truncated(o, s): "zstd frame at \(o) truncated in its \(s)"
    case let .trailingGarbage(o, n, p): "\(n) bytes after the last zstd frame at \(o) are not a frame (starting \(ByteText.preview(p)))"
    }
  }
}
