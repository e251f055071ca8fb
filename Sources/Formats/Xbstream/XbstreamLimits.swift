/// Limits the xbstream reader enforces before it allocates anything a header asks for.
public enum XbstreamLimits {
  /// The reference reader rejects path_len ≥ 512 (FN_REFLEN); 511 is the longest readable path.
  public static let maxPathLength: UInt32 = 511
  /// Sparse-map entries held for one `S` chunk (8 bytes each: 8 MiB at most). Real writers emit one
  /// entry per hole of a ≤ 10 MiB write, far below this.
  public static let maxSparseMapEntries: UInt32 = 1 << 20
  /// Payloads at or above this length exceed the 32-bit CRC helper of the reference tools (§1.4):
  /// their stored CRC covers only the low 32 bits of the length. Reported, never allocated.
  public static let crcCoveredPayload: UInt64 = 1 << 32
}
