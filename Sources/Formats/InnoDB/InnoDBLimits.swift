/// Size limits for InnoDB pages and the small files of incremental backups (spec §6.3, §8.1).
public enum InnoDBLimits {
  /// Smallest physical page: a ROW_FORMAT=COMPRESSED page with ZIP_SSIZE 1 (512 << 1).
  public static let minPageSize = 1024
  /// Largest logical page (`innodb_page_size=64k`); bounds every page buffer.
  public static let maxPageSize = 65536
  /// Bytes of a `.meta` file kept for parsing; real ones are under 100 bytes.
  public static let maxMetaLength = 4096
}
