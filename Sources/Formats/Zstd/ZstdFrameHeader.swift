/// The header of one zstd frame (RFC 8878 §3.1.1), or of a skippable frame (§3.1.2).
///
/// On-disk layout (integers little-endian):
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 4 | magic 0xFD2FB528 (`28 B5 2F FD`); skippable: 0x184D2A50–0x184D2A5F, then u32 frame size and data |
/// | 4 | 1 | descriptor: FCS flag (bits 7–6), single segment (5), unused (4), reserved (3), checksum (2), dict-id flag (1–0) |
/// | 5 | 0–1 | window descriptor (absent when single segment): exponent (7–3), mantissa (2–0) |
/// | … | 0/1/2/4 | dictionary id |
/// | … | 0/1/2/4/8 | frame content size (2 bytes: value + 256; single segment with flag 0: 1 byte) |
///
/// Blocks follow (3-byte headers), then a 4-byte XXH64 checksum when the checksum flag is set.
public struct ZstdFrameHeader: Equatable, Sendable {
  public static let magic: UInt32 = 0xFD2F_B528
  public static let skippableMagicRange: ClosedRange<UInt32> = 0x184D_2A50...0x184D_2A5F

  public var offset: Int64
  /// A skippable frame: `skippableSize` data bytes follow its 8-byte header.
  public var isSkippable = false
  public var skippableSize: UInt32 = 0
  public var descriptor: UInt8 = 0
  public var hasChecksum = false
  public var isSingleSegment = false
  public var dictionaryID: UInt32 = 0
  public var contentSize: UInt64?
  /// The window the decoder needs (the content size for single-segment frames).
  public var windowSize: UInt64 = 0
  public var headerLength = 0

  public enum ParseStep: Equatable, Sendable {
    case needMore(Int)
    case complete(ZstdFrameHeader)
    /// The bytes do not start a zstd or skippable frame.
    case notAFrame
  }

  public static func parse(_ b: [UInt8], at offset: Int64) throws(ZstdError) -> ParseStep {
    guard b.count >= 4 else { return .needMore(4) }
    let magic = b.le32(at: 0)
    var h = ZstdFrameHeader(offset: offset)
    if skippableMagicRange.contains(magic) {
      guard b.count >= 8 else { return .needMore(8) }
      h.isSkippable = true
      h.skippableSize = b.le32(at: 4)
      h.headerLength = 8
      return .complete(h)
    }
    guard magic == Self.magic else { return .notAFrame }
    guard b.count >= 5 else { return .needMore(5) }
    let d = b[4]
    h.descriptor = d
    if d & 0x08 != 0 { throw .reservedBit(frameOffset: offset, descriptor: d) }
    let fcsFlag = Int(d >> 6)
    h.isSingleSegment = d & 0x20 != 0
    h.hasChecksum = d & 0x04 != 0
    let dictBytes = [0, 1, 2, 4][Int(d & 3)]
    let fcsBytes = [h.isSingleSegment ? 1 : 0, 2, 4, 8][fcsFlag]
    let length = 5 + (h.isSingleSegment ? 0 : 1) + dictBytes + fcsBytes
    guard b.count >= length else { return .needMore(length) }
    var i = 5
    if !h.isSingleSegment {
      let wd = b[i]; i += 1
      let windowLog = 10 + UInt64(wd >> 3)
      let base: UInt64 = 1 << windowLog
      h.windowSize = base + (base / 8) * UInt64(wd & 7)
    }
    for k in 0..<dictBytes { h.dictionaryID |= UInt32(b[i + k]) << (8 * UInt32(k)) }
    i += dictBytes
    if fcsBytes > 0 {
      var v: UInt64 = 0
      for k in 0..<fcsBytes { v |= UInt64(b[i + k]) << (8 * UInt64(k)) }
      if fcsBytes == 2 { v += 256 }
      h.contentSize = v
      i += fcsBytes
    }
    if h.isSingleSegment { h.windowSize = h.contentSize ?? 0 }
    h.headerLength = i
    return .complete(h)
  }
}
