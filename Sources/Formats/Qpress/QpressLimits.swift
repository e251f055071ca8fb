/// Limits the qpress reader enforces before it allocates anything a header asks for (spec §3, Q1, Q7).
///
/// Memory per archive: one block buffer of at most ``maxBufferedPacket`` bytes plus one output
/// buffer of at most ``maxBufferedChunkSize`` bytes, whatever the header claims.
public enum QpressLimits {
  /// qpress `-d` refuses chunk_size > 512 MiB ("Source file is corrupted"): rule Q1, an error.
  public static let maxChunkSize: UInt64 = 512 << 20
  /// The largest chunk size the qpress writer offers (`-K` up to 32 MiB): above it, a warning (Q1 W).
  public static let writerMaxChunkSize: UInt64 = 32 << 20
  /// What this reader buffers per block (our allocation cap, below ``maxChunkSize``): a block whose
  /// packet or decompressed length exceeds it is not read ("could not evaluate", never allocated).
  /// 32 MiB, the largest chunk size any writer produces: with the packet buffer, a member holds at
  /// most about 64 MiB however its archive's header is forged.
  public static let maxBufferedChunkSize: UInt64 = writerMaxChunkSize
  /// QuickLZ's worst-case expansion allowance: packet length ≤ chunk_size + 400 (qpress checks this).
  public static let packetSlack: UInt64 = 400
  /// The largest packet buffered: ``maxBufferedChunkSize`` + ``packetSlack``.
  public static let maxBufferedPacket: UInt64 = maxBufferedChunkSize + packetSlack
  /// qpress accepts name length + 1 ≤ 200 000.
  public static let maxNameLength: UInt32 = 199_999
  /// `D` items open at once (qpress has no limit; real trees are a few levels deep).
  public static let maxDirectoryDepth = 1024
}
