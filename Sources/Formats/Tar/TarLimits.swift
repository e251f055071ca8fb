/// Limits the tar reader enforces before it holds anything a header asks for.
public enum TarLimits {
  /// Tar blocks are 512 bytes; headers are one block, data is padded to a whole block.
  public static let blockSize = 512
  /// GNU 'L'/'K' long names and pax 'x'/'g' extended headers are held whole to be parsed: at most
  /// this many bytes each (1 MiB, the bound Go's archive/tar uses for the same records).
  public static let maxSpecialEntrySize: UInt64 = 1 << 20
}
