/// Limits the xbcrypt reader enforces before it allocates or trusts anything a header claims.
public enum XbcryptLimits {
  /// original_size, encrypted_size and iv_len above this are rejected by every reference reader
  /// (INT_MAX; spec §2.3, rule C3).
  public static let maxSize: UInt64 = 2_147_483_647
  /// IV bytes held for one chunk header. Writers store 16; readers only range-check iv_len
  /// (≤ INT_MAX), but a longer IV is never usable as a 16-byte counter, so holding more is pointless.
  public static let maxIVLength: UInt64 = 4096
  /// The IV length every writer stores (the AES block size); anything else is rule C7.
  public static let ivLength: UInt64 = 16
  /// Chunks whose ciphertext exceeds this are flagged (rule C14): writers cut 64 KiB chunks (at most
  /// a 10 MiB read buffer for the CLI), so a larger declared chunk is suspicious.
  public static let largeChunkWarning: UInt64 = 64 << 20
  /// Size of the SHA-256 of the data that v3 appends to the plaintext.
  public static let hashLength: UInt64 = 32
}
