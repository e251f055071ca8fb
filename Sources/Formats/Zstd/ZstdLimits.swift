/// Limits the zstd reader enforces before libzstd allocates anything a frame header asks for.
public enum ZstdLimits {
  /// Largest window accepted: 2^27 = 128 MiB, the default limit of `zstd -d` (ZSTD_WINDOWLOG_LIMIT_DEFAULT).
  /// xtrabackup's levels 1–19 stay far below; a frame declaring more is reported, never allocated.
  public static let maxWindowLog = 27
  public static var maxWindowSize: UInt64 { 1 << UInt64(maxWindowLog) }
  /// Decompressed bytes produced per libzstd call (the bounded output buffer).
  public static let outputBufferSize = 128 * 1024
}
