internal import CCrypto

/// A failure inside OpenSSL (out of memory, a rejected key): never caused by input bytes.
public struct CryptoError: Error, Equatable, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// AES in CTR mode through OpenSSL's EVP API (`EVP_aes_{128,192,256}_ctr`), the variant chosen by the
/// key length as libgcrypt does for xbcrypt (16/24/32 bytes). Owns one `EVP_CIPHER_CTX`, freed in
/// `deinit`.
///
/// OpenSSL's CTR increments the whole 16-byte counter block as one big-endian integer, exactly like
/// libgcrypt (spec §2.4). Encryption and decryption are the same operation.
public final class AESCTRCipher {
  public static let blockSize = 16
  public static let zeroCounter = [UInt8](repeating: 0, count: blockSize)

  private let ctx: OpaquePointer
  private let cipher: OpaquePointer
  /// Kept to re-key on ``reset(counter:)``; never leaves this object.
  private let key: [UInt8]

  /// - Throws: ``CryptoError`` when the key is not 16, 24 or 32 bytes, or OpenSSL fails.
  public init(key: [UInt8]) throws(CryptoError) {
    let chosen: OpaquePointer?
    switch key.count {
    case 16: chosen = EVP_aes_128_ctr()
    case 24: chosen = EVP_aes_192_ctr()
    case 32: chosen = EVP_aes_256_ctr()
    default: throw CryptoError("AES key of \(key.count) bytes: must be 16, 24 or 32")
    }
    guard let chosen, let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError("OpenSSL cannot create an AES-CTR context") }
    self.ctx = ctx
    self.cipher = chosen
    self.key = key
    try reset(counter: Self.zeroCounter)
  }

  deinit { EVP_CIPHER_CTX_free(ctx) }

  /// Restarts the keystream at `counter` (16 bytes), as the writers do before every chunk.
  public func reset(counter: [UInt8]) throws(CryptoError) {
    guard counter.count == Self.blockSize else { throw CryptoError("CTR counter block of \(counter.count) bytes: must be 16") }
    let rc = key.withUnsafeBufferPointer { k in
      counter.withUnsafeBufferPointer { c in EVP_EncryptInit_ex(ctx, cipher, nil, k.baseAddress, c.baseAddress) }
    }
    guard rc == 1 else { throw CryptoError("OpenSSL EVP_EncryptInit_ex failed (error 0x\(String(ERR_get_error(), radix: 16)))") }
  }

  /// XORs the next `input.count` keystream bytes into `output` (at least as large as `input`).
  public func apply(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
    precondition(output.count >= input.count, "AESCTRCipher.apply: output buffer too small")
    guard let inBase = input.baseAddress, let outBase = output.baseAddress else { return }
    var done = 0
    while done < input.count {
      let n = min(input.count - done, 1 << 30)  // EVP takes an int length
      var written: Int32 = 0
      let rc = EVP_EncryptUpdate(ctx, (outBase + done).assumingMemoryBound(to: UInt8.self), &written,
                                 (inBase + done).assumingMemoryBound(to: UInt8.self), Int32(n))
      precondition(rc == 1 && Int(written) == n, "EVP_EncryptUpdate failed in CTR mode")
      done += n
    }
  }

  /// The keystream applied to `input`, as a new array.
  public func apply(_ input: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: input.count)
    input.withUnsafeBytes { i in out.withUnsafeMutableBytes { o in apply(i, into: o) } }
    return out
  }
}
