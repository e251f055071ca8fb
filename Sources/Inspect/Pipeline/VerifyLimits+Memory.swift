extension VerifyLimits {
  /// Members of one xbstream open at once (written by parallel copy threads: tens in real backups).
  /// Each holds a pipeline (sniffer, digests, partial blocks), so a stream that opens members without
  /// ever closing them is stopped here rather than growing memory with the input.
  public static let maxOpenMembers = 4096
}
