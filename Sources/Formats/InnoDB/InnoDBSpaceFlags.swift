/// FSP_SPACE_FLAGS of a tablespace (BE u32 at byte 54 of page 0, spec §8.1): page size, compression
/// and which checksum layout its pages use.
///
/// | Layout | Bits | Meaning |
/// |---|---|---|
/// | MySQL / Percona / MariaDB (classic) | 0 | post-antelope |
/// | | 1–4 | ZIP_SSIZE: 0 = not compressed, else physical page 512 << ZIP_SSIZE (1–16 KiB) |
/// | | 5 | atomic blobs |
/// | | 6–9 | PAGE_SSIZE: 0 = 16 KiB, else 512 << PAGE_SSIZE (3 → 4 KiB … 7 → 64 KiB) |
/// | | 13 / 14 | encryption / SDI (MySQL) |
/// | MariaDB `full_crc32` | 4 | marker (ZIP_SSIZE ≤ 5 can never set it in the classic layout) |
/// | | 0–3 | PAGE_SSIZE (3 … 7) |
/// | | 5–7 | page_compressed algorithm |
public struct InnoDBSpaceFlags: Equatable, Sendable {
  /// Byte offset of FSP_SPACE_FLAGS in page 0 (FIL_PAGE_DATA 38 + FSP_SPACE_FLAGS 16).
  public static let offset = 54
  public static let fullCRC32Marker: UInt32 = 0x10

  public let rawValue: UInt32
  public let isFullCRC32: Bool
  public let logicalPageSize: Int
  /// Physical size of a ROW_FORMAT=COMPRESSED page, 0 when the tablespace is not compressed.
  public let zipSize: Int
  /// Size of one page in the file.
  public var physicalPageSize: Int { zipSize != 0 ? zipSize : logicalPageSize }

  /// Decodes `rawValue`; nil when its page sizes are impossible.
  public init?(rawValue: UInt32) {
    self.rawValue = rawValue
    if rawValue & Self.fullCRC32Marker != 0 {
      let ssize = Int(rawValue & 0xF)
      guard (3...7).contains(ssize) else { return nil }
      isFullCRC32 = true
      logicalPageSize = 512 << ssize
      zipSize = 0
    } else {
      let ssize = Int((rawValue >> 6) & 0xF)
      let zssize = Int((rawValue >> 1) & 0xF)
      guard ssize == 0 || (3...7).contains(ssize), zssize <= 5 else { return nil }
      isFullCRC32 = false
      logicalPageSize = ssize == 0 ? 16384 : 512 << ssize
      zipSize = zssize == 0 ? 0 : 512 << zssize
      guard zipSize <= logicalPageSize else { return nil }
    }
  }

  /// The flags stored in page 0 (`page` holds at least 58 bytes).
  public init?(page0 page: [UInt8]) {
    guard page.count >= Self.offset + 4 else { return nil }
    self.init(rawValue: page.be32(at: Self.offset))
  }

  /// How this tablespace's pages are checksummed.
  public var scheme: InnoDBChecksumScheme {
    isFullCRC32 ? .fullCRC32 : zipSize != 0 ? .compressed : .classic
  }
}
