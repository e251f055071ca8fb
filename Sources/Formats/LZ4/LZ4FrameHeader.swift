/// The header of one LZ4 frame (LZ4 Frame Format 1.6; spec §5.1), or of a skippable frame.
///
/// On-disk layout (integers little-endian):
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 4 | magic 0x184D2204 (`04 22 4D 18`); skippable: 0x184D2A50–0x184D2A5F, then u32 size and data |
/// | 4 | 1 | FLG: version (7–6) = 01, block independence (5), block checksum (4), content size (3), content checksum (2), reserved (1) = 0, dict id (0) |
/// | 5 | 1 | BD: reserved (7) = 0, block maximum code (6–4) 4–7, reserved (3–0) = 0 |
/// | 6 | 0/8 | content size (u64) |
/// | … | 0/4 | dictionary id (u32) |
/// | … | 1 | HC = (xxHash32(FLG … dict id, seed 0) >> 8) & 0xFF |
///
/// Blocks follow: u32 size (bit 31 = stored uncompressed; 0 = end mark), data, and a u32 block
/// checksum when FLG says so; after the end mark a u32 content checksum when FLG says so.
public struct LZ4FrameHeader: Equatable, Sendable {
  public static let magic: UInt32 = 0x184D_2204
  public static let skippableMagicRange: ClosedRange<UInt32> = 0x184D_2A50...0x184D_2A5F
  /// What xtrabackup's writer puts in FLG (spec §5.1): version 01, independent blocks, content size
  /// and content checksum, no block checksum.
  public static let xtrabackupFLG: UInt8 = 0x6C

  public var offset: Int64
  public var isSkippable = false
  public var skippableSize: UInt32 = 0
  public var flg: UInt8 = 0
  public var bd: UInt8 = 0
  public var contentSize: UInt64?
  public var dictionaryID: UInt32?
  public var blockMaximum = 0
  public var headerLength = 0
  public var hasBlockChecksum: Bool { flg & 0x10 != 0 }
  public var hasContentChecksum: Bool { flg & 0x04 != 0 }

  public enum ParseStep: Equatable, Sendable {
    case needMore(Int)
    case complete(LZ4FrameHeader)
    case notAFrame
  }

  /// Parses the header; checks version, reserved bits and the block size code (rule Z1). The HC byte
  /// is left to liblz4, which computes xxHash32.
  public static func parse(_ b: [UInt8], at offset: Int64) throws(LZ4Error) -> ParseStep {
    guard b.count >= 4 else { return .needMore(4) }
    let magic = b.le32(at: 0)
    var h = LZ4FrameHeader(offset: offset)
    if skippableMagicRange.contains(magic) {
      guard b.count >= 8 else { return .needMore(8) }
      h.isSkippable = true; h.skippableSize = b.le32(at: 4); h.headerLength = 8
      return .complete(h)
    }
    guard magic == Self.magic else { return .notAFrame }
    guard b.count >= 6 else { return .needMore(6) }
    h.flg = b[4]; h.bd = b[5]
    let hex = { (v: UInt8) in "0x" + String(v, radix: 16) }
    guard h.flg >> 6 == 1 else { throw .badHeader(frameOffset: offset, field: "FLG version", expected: "01", found: "\(h.flg >> 6)") }
    guard h.flg & 0x02 == 0 else { throw .badHeader(frameOffset: offset, field: "FLG reserved bit 1", expected: "0", found: hex(h.flg)) }
    guard h.bd & 0x8F == 0 else { throw .badHeader(frameOffset: offset, field: "BD reserved bits", expected: "0", found: hex(h.bd)) }
    guard let max = LZ4Limits.blockMaximum(code: Int(h.bd >> 4 & 7)) else {
      throw .badHeader(frameOffset: offset, field: "BD block maximum code", expected: "4–7", found: "\(h.bd >> 4 & 7)")
    }
    h.blockMaximum = max
    let length = 6 + (h.flg & 0x08 != 0 ? 8 : 0) + (h.flg & 0x01 != 0 ? 4 : 0) + 1
    guard b.count >= length else { return .needMore(length) }
    var i = 6
    if h.flg & 0x08 != 0 { h.contentSize = b.le64(at: i); i += 8 }
    if h.flg & 0x01 != 0 { h.dictionaryID = b.le32(at: i); i += 4 }
    h.headerLength = i + 1
    return .complete(h)
  }
}
