/// The header of one xbcrypt chunk (spec §2.2–2.3), everything before the ciphertext.
///
/// On-disk layout (all integers little-endian; offsets from the chunk's magic):
///
/// | Offset | Size | Field | v1 `XBCRYP01` | v2 `XBCRYP02` | v3 `XBCRYP03` |
/// |---|---|---|---|---|---|
/// | 0 | 8 | magic | yes | yes | yes |
/// | 8 | 8 | reserved (written 0, ignored by readers) | yes | yes | yes |
/// | 16 | 8 | original_size | plaintext bytes | plaintext bytes | plaintext bytes + 32 |
/// | 24 | 8 | encrypted_size | ciphertext bytes | same | same |
/// | 32 | 4 | CRC-32 of the ciphertext | yes | yes | yes |
/// | 36 | 8 | iv_len | absent | yes (IV ignored) | yes (IV = initial counter) |
/// | 44 | iv_len | iv | absent | yes | yes |
///
/// The ciphertext (encrypted_size bytes) follows at 36 (v1) or 44 + iv_len (v2, v3). For v3 its
/// plaintext is the data followed by SHA-256(data).
public struct XbcryptChunkHeader: Equatable, Sendable {
  public enum Version: Int, Sendable, Comparable {
    case v1 = 1, v2 = 2, v3 = 3
    public var magic: [UInt8] { Array("XBCRYP0\(rawValue)".utf8) }
    /// v3 is the only version whose counter is not the zero block (CVE-2016-6225).
    public var hasPlaintextHash: Bool { self == .v3 }
    public static func < (a: Version, b: Version) -> Bool { a.rawValue < b.rawValue }
  }

  /// Bytes up to and including the CRC (the whole v1 header).
  public static let fixedLength = 36
  /// Bytes up to and including iv_len (v2, v3).
  public static let fixedLengthWithIVLength = 44
  public static let magicPrefix: [UInt8] = Array("XBCRYP0".utf8)

  /// Layer offset of the chunk's magic.
  public var offset: Int64
  public var version: Version
  public var reserved: UInt64
  public var originalSize: UInt64
  public var encryptedSize: UInt64
  public var checksum: UInt32
  /// 0 for v1 (no field).
  public var ivLength: UInt64
  public var iv: [UInt8]
  /// Bytes from the magic to the first ciphertext byte.
  public var headerLength: Int

  /// Data bytes the chunk decrypts to: encrypted_size, less the 32-byte hash for v3
  /// (0 when a v3 chunk is too short to hold the hash).
  public var dataSize: UInt64 {
    version == .v3 ? (encryptedSize >= XbcryptLimits.hashLength ? encryptedSize - XbcryptLimits.hashLength : 0) : encryptedSize
  }

  /// The whole chunk's length (header + ciphertext); sizes are ≤ INT_MAX, so this cannot overflow.
  public var totalLength: UInt64 { UInt64(headerLength) + encryptedSize }
}

extension XbcryptChunkHeader {
  /// The outcome of looking at the first bytes of a chunk.
  public enum ParseStep: Equatable, Sendable {
    /// Call again with at least this many bytes (or with `atEnd` when the input has no more).
    case needMore(Int)
    case complete(XbcryptChunkHeader)
  }

  /// Parses a chunk header from its first bytes. Pure: no I/O, no state.
  ///
  /// - Parameters:
  ///   - bytes: the bytes from the chunk's magic on (possibly more than the header).
  ///   - offset: the layer offset of `bytes[0]`, carried into errors and the result.
  ///   - atEnd: no byte follows `bytes` in the input.
  /// - Throws: ``XbcryptError`` for a header no reader could accept (C1, C2, C3).
  public static func parse(_ bytes: [UInt8], at offset: Int64, atEnd: Bool = false) throws(XbcryptError) -> ParseStep {
    // Magic first, so that a short non-xbcrypt tail is "bad magic", not "truncated".
    let seen = min(bytes.count, 8)
    let matches = (0..<seen).allSatisfy { i in i < 7 ? bytes[i] == magicPrefix[i] : (0x31...0x33).contains(bytes[i]) }
    guard matches else { throw .badMagic(offset: offset, found: Array(bytes.prefix(8))) }

    func need(_ n: Int, _ structure: String) throws(XbcryptError) -> ParseStep? {
      if bytes.count >= n { return nil }
      if atEnd { throw .truncated(offset: offset, structure: structure, needed: UInt64(n), available: UInt64(bytes.count)) }
      return .needMore(n)
    }
    if let step = try need(fixedLength, "header") { return step }
    let version = Version(rawValue: Int(bytes[7] - 0x30))!  // 1...3, checked above
    let originalSize = bytes.le64(at: 16), encryptedSize = bytes.le64(at: 24)
    guard originalSize <= XbcryptLimits.maxSize else { throw .sizeTooLarge(offset: offset, field: "original_size", value: originalSize) }
    guard encryptedSize <= XbcryptLimits.maxSize else { throw .sizeTooLarge(offset: offset, field: "encrypted_size", value: encryptedSize) }
    var h = XbcryptChunkHeader(offset: offset, version: version, reserved: bytes.le64(at: 8), originalSize: originalSize,
                               encryptedSize: encryptedSize, checksum: bytes.le32(at: 32), ivLength: 0, iv: [],
                               headerLength: fixedLength)
    guard version != .v1 else { return .complete(h) }
    if let step = try need(fixedLengthWithIVLength, "IV length") { return step }
    let ivLength = bytes.le64(at: 36)
    guard ivLength <= XbcryptLimits.maxSize else { throw .sizeTooLarge(offset: offset, field: "iv_len", value: ivLength) }
    guard ivLength <= XbcryptLimits.maxIVLength else { throw .ivTooLong(offset: offset, length: ivLength) }
    let end = fixedLengthWithIVLength + Int(ivLength)
    if let step = try need(end, "IV") { return step }
    h.ivLength = ivLength
    h.iv = Array(bytes[fixedLengthWithIVLength..<end])
    h.headerLength = end
    return .complete(h)
  }
}
