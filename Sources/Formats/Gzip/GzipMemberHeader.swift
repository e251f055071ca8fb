/// The header of one gzip member (RFC 1952 §2.3), everything before the deflate data.
///
/// On-disk layout (integers little-endian; offsets from ID1):
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 2 | ID1 ID2 = `1F 8B` |
/// | 2 | 1 | CM = 8 (deflate) |
/// | 3 | 1 | FLG: 0x01 FTEXT, 0x02 FHCRC, 0x04 FEXTRA, 0x08 FNAME, 0x10 FCOMMENT, 0xE0 reserved (0) |
/// | 4 | 4 | MTIME (u32) |
/// | 8 | 1 | XFL (2 = best, 4 = fastest) |
/// | 9 | 1 | OS |
/// | 10 | 2 + XLEN | FEXTRA: XLEN (u16), then XLEN bytes (if FLG.FEXTRA) |
/// | … | n + 1 | FNAME, NUL-terminated (if FLG.FNAME) |
/// | … | n + 1 | FCOMMENT, NUL-terminated (if FLG.FCOMMENT) |
/// | … | 2 | CRC-16 = low 16 bits of the CRC-32 of the header bytes so far (if FLG.FHCRC) |
///
/// The member then holds raw deflate data and an 8-byte trailer: CRC-32 (u32) and ISIZE (u32, the
/// uncompressed size modulo 2^32).
public struct GzipMemberHeader: Equatable, Sendable {
  public static let magic: [UInt8] = [0x1F, 0x8B]
  public static let fixedLength = 10
  public static let trailerLength = 8

  public struct Flags: OptionSet, Equatable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let text = Flags(rawValue: 0x01)
    public static let headerCRC = Flags(rawValue: 0x02)
    public static let extra = Flags(rawValue: 0x04)
    public static let name = Flags(rawValue: 0x08)
    public static let comment = Flags(rawValue: 0x10)
    public static let reserved = Flags(rawValue: 0xE0)
  }

  /// Stream offset of ID1.
  public var offset: Int64
  public var flags: Flags
  public var modificationTime: UInt32
  public var extraFlags: UInt8
  public var operatingSystem: UInt8
  public var extraLength = 0
  /// FNAME without its NUL (untrusted bytes).
  public var name: [UInt8]?
  public var comment: [UInt8]?
  public var headerLength: Int

  public enum ParseStep: Equatable, Sendable {
    /// At least this many bytes in total are needed before parsing can go on.
    case needMore(Int)
    case complete(GzipMemberHeader)
  }

  /// Parses a member header from `bytes` (which start at ID1). Pure: asks for more bytes when the
  /// header goes on past them; never holds a field longer than its ``GzipLimits`` limit.
  public static func parse(_ bytes: [UInt8], at offset: Int64) throws(GzipError) -> ParseStep {
    guard bytes.count >= fixedLength else { return .needMore(fixedLength) }
    guard bytes[0] == 0x1F, bytes[1] == 0x8B else {
      throw .badHeader(offset: offset, field: "ID1 ID2", found: ByteText.preview(Array(bytes[0..<2])))
    }
    guard bytes[2] == 8 else { throw .badHeader(offset: offset, field: "CM", found: "\(bytes[2]) (only 8, deflate, is defined)") }
    let flags = Flags(rawValue: bytes[3])
    guard flags.intersection(.reserved).isEmpty else {
      throw .badHeader(offset: offset, field: "FLG", found: "0x\(String(bytes[3], radix: 16)) (reserved bits set)")
    }
    var h = GzipMemberHeader(offset: offset, flags: flags, modificationTime: bytes.le32(at: 4), extraFlags: bytes[8],
                             operatingSystem: bytes[9], headerLength: fixedLength)
    var i = fixedLength
    if flags.contains(.extra) {
      guard bytes.count >= i + 2 else { return .needMore(i + 2) }
      h.extraLength = Int(bytes.le16(at: i))
      i += 2
      guard bytes.count >= i + h.extraLength else { return .needMore(i + h.extraLength) }
      i += h.extraLength
    }
    for (flag, field, limit) in [(Flags.name, "FNAME", GzipLimits.maxNameLength), (.comment, "FCOMMENT", GzipLimits.maxCommentLength)]
    where flags.contains(flag) {
      let start = i
      while true {
        guard i < bytes.count else {
          if i - start > limit { throw .fieldTooLong(offset: offset, field: field, limit: limit) }
          return .needMore(i + 1)
        }
        if bytes[i] == 0 { break }
        i += 1
      }
      if i - start > limit { throw .fieldTooLong(offset: offset, field: field, limit: limit) }
      if flag == .name { h.name = Array(bytes[start..<i]) } else { h.comment = Array(bytes[start..<i]) }
      i += 1
    }
    if flags.contains(.headerCRC) {
      guard bytes.count >= i + 2 else { return .needMore(i + 2) }
      let stored = bytes.le16(at: i)
      let computed = UInt16(truncatingIfNeeded: CRC32.checksum(Array(bytes[0..<i])))
      guard stored == computed else { throw .headerCRCMismatch(offset: offset, stored: stored, computed: computed) }
      i += 2
    }
    h.headerLength = i
    return .complete(h)
  }
}
