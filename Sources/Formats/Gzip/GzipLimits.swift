/// Limits the gzip reader enforces before it holds anything a header asks for.
public enum GzipLimits {
  /// FEXTRA is at most 65 535 bytes by its u16 length; it is skipped, never held.
  public static let maxExtraLength = 65_535
  /// FNAME and FCOMMENT are NUL-terminated with no length field. GNU gzip keeps at most PATH_MAX
  /// (4096) bytes of a name; a longer field is reported rather than accumulated without end.
  public static let maxNameLength = 4096
  public static let maxCommentLength = 64 * 1024
  /// Decompressed bytes produced per inflate call (the bounded output buffer).
  public static let outputBufferSize = 64 * 1024
}
