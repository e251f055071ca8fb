/// Limits of the LZ4 frame reader.
public enum LZ4Limits {
  /// Block maximum per BD code 4–7 (64 KiB, 256 KiB, 1 MiB, 4 MiB): liblz4 holds at most one block
  /// of the largest (4 MiB) plus a 64 KiB history per context; nothing else is sized by the input.
  public static func blockMaximum(code: Int) -> Int? {
    (4...7).contains(code) ? 1 << (8 + 2 * code) : nil
  }
  /// Decompressed bytes produced per liblz4 call (the bounded output buffer).
  public static let outputBufferSize = 64 * 1024
}
