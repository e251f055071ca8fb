internal import CCrypto

/// Incremental SHA-256 through OpenSSL's EVP digest API. Owns one `EVP_MD_CTX`, freed in `deinit`.
///
/// The C functions used are `EVP_DigestInit_ex`, `EVP_DigestUpdate` and `EVP_DigestFinal_ex`.
public final class SHA256 {
  public static let byteCount = 32
  private let ctx: OpaquePointer

  public init() {
    guard let ctx = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
    self.ctx = ctx
    EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
  }

  deinit { EVP_MD_CTX_free(ctx) }

  public func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    EVP_DigestUpdate(ctx, base, bytes.count)
  }

  public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

  /// Finishes the digest and resets the context, so the object can hash again.
  public func finalize() -> [UInt8] {
    var out = [UInt8](repeating: 0, count: Self.byteCount)
    var n: UInt32 = 0
    out.withUnsafeMutableBytes { p in _ = EVP_DigestFinal_ex(ctx, p.baseAddress!.assumingMemoryBound(to: UInt8.self), &n) }
    EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
    return out
  }

  public static func hash(_ bytes: [UInt8]) -> [UInt8] { let h = SHA256(); h.update(bytes); return h.finalize() }
}

extension Array where Element == UInt8 {
  /// Lowercase hexadecimal, two digits a byte.
  public var hexString: String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8](); out.reserveCapacity(count * 2)
    for b in self { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
    return String(decoding: out, as: UTF8.self)
  }
}
