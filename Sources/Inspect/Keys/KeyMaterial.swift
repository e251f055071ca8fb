import Formats

/// The AES variant a key length selects (16/24/32 bytes → AES-128/192/256).
public enum AESVariant: String, Sendable, Codable, CaseIterable {
  case aes128 = "AES128", aes192 = "AES192", aes256 = "AES256"
  public init?(keyLength: Int) {
    switch keyLength { case 16: self = .aes128; case 24: self = .aes192; case 32: self = .aes256; default: return nil }
  }
  public var keyLength: Int { switch self { case .aes128: 16; case .aes192: 24; case .aes256: 32 } }
}

/// A key for xbcrypt layers. The bytes never leave this type: reports carry ``fingerprint``, the
/// length and the cipher only.
public struct KeyMaterial: Sendable {
  /// The raw key bytes, as `--encrypt-key-file` would use them.
  public let bytes: [UInt8]
  /// Where it came from, for messages (`--key-file k.key`), never the key itself.
  public let source: String

  public init(bytes: [UInt8], source: String) { self.bytes = bytes; self.source = source }

  public var variant: AESVariant? { AESVariant(keyLength: bytes.count) }

  /// `sha256:` + the first 16 hex digits of SHA-256("xbinspect key fingerprint v1" ‖ key).
  /// A one-way, domain-separated digest: it tells keys apart across runs without revealing them
  /// (64 bits are far too few to search for a 128-bit or longer key).
  public var fingerprint: String {
    let h = SHA256()
    h.update(Array("xbinspect key fingerprint v1".utf8))
    h.update(bytes)
    return "sha256:" + String(h.finalize().hexString.prefix(16))
  }
}
