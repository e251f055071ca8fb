/// Where the doublewrite buffer lies in the system tablespace (`ibdata1`): two blocks of one extent
/// each, holding copies of other tablespaces' pages (their page numbers and space ids are not their
/// position's). MySQL before 8.0.20 and MariaDB keep it there; the TRX_SYS page (page 5) records it.
///
/// | Offset in page 5 | Size | Field |
/// |---|---|---|
/// | size − 200 | 10 | file segment header |
/// | size − 190 | 4 | BE magic 536853855 (0x1FFFBD5F) |
/// | size − 186 | 4 | BE first page of block 1 |
/// | size − 182 | 4 | BE first page of block 2 |
/// | size − 178 | 12 | repeat of magic, block 1, block 2 |
public enum InnoDBDoublewrite {
  public static let trxSysPageNumber = 5
  public static let magic: UInt32 = 0x1FFF_BD5F

  /// Pages per extent (FSP_EXTENT_SIZE): 1 MiB of pages up to 16 KiB pages, else 64.
  public static func extentSize(pageSize: Int) -> Int { pageSize <= 16384 ? (1 << 20) / pageSize : 64 }

  /// The page ranges of both blocks, or nil when page 5 holds no valid doublewrite record.
  public static func blocks(trxSysPage p: [UInt8]) -> [Range<Int>]? {
    let base = p.count - 200 + 10
    guard base > 0, base + 24 <= p.count, p.be32(at: base) == magic, p.be32(at: base + 12) == magic else { return nil }
    let extent = extentSize(pageSize: p.count)
    let b1 = Int(p.be32(at: base + 4)), b2 = Int(p.be32(at: base + 8))
    guard b1 > trxSysPageNumber, b2 > trxSysPageNumber, b1 < Int(Int32.max), b2 < Int(Int32.max) else { return nil }
    return [b1..<(b1 + extent), b2..<(b2 + extent)]
  }
}
