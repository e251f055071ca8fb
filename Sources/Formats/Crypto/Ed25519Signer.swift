internal import CCrypto

/// A problem with a signing or verification key, or a failed OpenSSL call.
public struct SignatureError: Error, Equatable, Sendable, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Ed25519 detached signatures (RFC 8032, "pure" Ed25519) through OpenSSL's EVP one-shot API.
///
/// Keys are PEM: a `PRIVATE KEY` (PKCS #8, as `openssl genpkey -algorithm ed25519` writes) for
/// signing, a `PUBLIC KEY` (SubjectPublicKeyInfo, `openssl pkey -pubout`) for verifying. The
/// signature is the raw 64 bytes, the form `openssl pkeyutl -sign -rawin` writes and
/// `openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in F -sigfile F.sig` checks.
///
/// Ed25519 hashes the message itself (SHA-512, twice), so the digest given to
/// `EVP_DigestSignInit` is NULL and the whole message goes to one `EVP_DigestSign` call: the
/// message is held in memory (evidence reports are small). The C functions used are
/// `PEM_read_bio_PrivateKey`, `PEM_read_bio_PUBKEY`, `EVP_DigestSign` and `EVP_DigestVerify`.
public final class Ed25519Signer {
  /// Bytes of an Ed25519 signature.
  public static let signatureLength = 64
  /// Largest PEM text accepted for a key (a real Ed25519 PEM is about 120 bytes).
  public static let maxPEMLength = 16 * 1024

  private let key: OpaquePointer
  /// Whether ``key`` holds the private half (signing) or only the public half (verifying).
  public let canSign: Bool

  /// Loads a private key for signing.
  public init(privateKeyPEM pem: [UInt8]) throws(SignatureError) {
    key = try Self.load(pem, isPrivate: true)
    canSign = true
  }

  /// Loads a public key for verification.
  public init(publicKeyPEM pem: [UInt8]) throws(SignatureError) {
    key = try Self.load(pem, isPrivate: false)
    canSign = false
  }

  deinit { EVP_PKEY_free(key) }

  private static func load(_ pem: [UInt8], isPrivate: Bool) throws(SignatureError) -> OpaquePointer {
    guard !pem.isEmpty, pem.count <= maxPEMLength else {
      throw SignatureError("key PEM is \(pem.count) bytes; expected 1 to \(maxPEMLength)")
    }
    let loaded: OpaquePointer? = pem.withUnsafeBytes { p in
      guard let bio = BIO_new_mem_buf(p.baseAddress, Int32(p.count)) else { return nil }
      defer { BIO_free(bio) }
      return isPrivate ? PEM_read_bio_PrivateKey(bio, nil, nil, nil) : PEM_read_bio_PUBKEY(bio, nil, nil, nil)
    }
    guard let key = loaded else {
      let detail = lastError()
      ERR_clear_error()
      throw SignatureError("not a PEM \(isPrivate ? "PRIVATE KEY (unencrypted PKCS #8)" : "PUBLIC KEY"): \(detail)")
    }
    guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
      EVP_PKEY_free(key)
      throw SignatureError("the key is not an Ed25519 key (make one with: openssl genpkey -algorithm ed25519)")
    }
    return key
  }

  /// The 64-byte signature of `message`. The C function used is `EVP_DigestSign`.
  public func sign(_ message: [UInt8]) throws(SignatureError) -> [UInt8] {
    guard canSign else { throw SignatureError("a public key cannot sign") }
    guard let ctx = EVP_MD_CTX_new() else { throw SignatureError("EVP_MD_CTX_new failed") }
    defer { EVP_MD_CTX_free(ctx) }
    guard EVP_DigestSignInit(ctx, nil, nil, nil, key) == 1 else { throw SignatureError("EVP_DigestSignInit: \(Self.lastError())") }
    var signature = [UInt8](repeating: 0, count: Self.signatureLength)
    var length = signature.count
    let rc = signature.withUnsafeMutableBytes { s in
      message.withUnsafeBytes { m in
        EVP_DigestSign(ctx, s.baseAddress!.assumingMemoryBound(to: UInt8.self), &length,
                       m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count)
      }
    }
    guard rc == 1, length == Self.signatureLength else { throw SignatureError("EVP_DigestSign: \(Self.lastError())") }
    return signature
  }

  /// True when `signature` is a valid Ed25519 signature of `message` under this key.
  /// The C function used is `EVP_DigestVerify`.
  public func verify(_ message: [UInt8], signature: [UInt8]) -> Bool {
    guard signature.count == Self.signatureLength, let ctx = EVP_MD_CTX_new() else { return false }
    defer { EVP_MD_CTX_free(ctx); ERR_clear_error() }
    guard EVP_DigestVerifyInit(ctx, nil, nil, nil, key) == 1 else { return false }
    let rc = signature.withUnsafeBytes { s in
      message.withUnsafeBytes { m in
        EVP_DigestVerify(ctx, s.baseAddress!.assumingMemoryBound(to: UInt8.self), s.count,
                         m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count)
      }
    }
    return rc == 1
  }

  /// `sha256:` + hex SHA-256 of the public key's DER SubjectPublicKeyInfo: names the signer in
  /// the evidence without the key (the public key is not secret, but the PEM is long).
  public var publicKeyFingerprint: String {
    var der: UnsafeMutablePointer<UInt8>?
    let n = i2d_PUBKEY(key, &der)
    guard n > 0, let der else { return "unknown" }
    defer { CRYPTO_free(der, #fileID, #line) }
    return "sha256:" + SHA256.hash(Array(UnsafeBufferPointer(start: der, count: Int(n)))).hexString
  }

  private static func lastError() -> String {
    let code = ERR_get_error()
    guard code != 0 else { return "no OpenSSL error detail" }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
