import Formats

/// Builds xbcrypt and xbstream bytes for tests (spec §2.2, §1.2), encrypting with the library's own
/// ``AESCTRCipher``. Test-only: the toolkit never writes backups.
public enum XbcryptWriter {
  /// One chunk of `data`. v3 appends SHA-256(data) and uses `iv` as the counter; v2 stores `iv` but
  /// encrypts with the zero counter (as the real v2 writer did); v1 has no IV.
  public static func chunk(_ data: [UInt8], key: [UInt8], version: Int = 3, iv: [UInt8] = Array(0..<16),
                           reserved: UInt64 = 0) -> [UInt8] {
    let cipher = try! AESCTRCipher(key: key)
    try! cipher.reset(counter: version == 3 && iv.count == 16 ? iv : AESCTRCipher.zeroCounter)
    let plain = version == 3 ? data + SHA256.hash(data) : data
    let ct = cipher.apply(plain)
    var out = Array("XBCRYP0\(version)".utf8)
    out += le(reserved, 8) + le(UInt64(plain.count), 8) + le(UInt64(ct.count), 8) + le(UInt64(CRC32.checksum(ct)), 4)
    if version != 1 { out += le(UInt64(iv.count), 8) + iv }
    return out + ct
  }

  /// `data` cut into `chunkSize` pieces; chunk `i` gets IV `ivs(i)` (default: derived from `seed`, unique).
  public static func file(_ data: [UInt8], key: [UInt8], version: Int = 3, chunkSize: Int = 65536, seed: String = "",
                          ivs: ((Int) -> [UInt8])? = nil) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0, at = 0
    while at < data.count {
      let end = min(data.count, at + chunkSize)
      let iv = ivs?(i) ?? Array(SHA256.hash(Array("\(seed)/\(i)".utf8)).prefix(16))
      out += chunk(Array(data[at..<end]), key: key, version: version, iv: iv)
      at = end; i += 1
    }
    return out
  }

  /// An xbstream holding `members` (one `P` chunk each, then `E`).
  public static func xbstream(_ members: [(path: String, bytes: [UInt8])]) -> [UInt8] {
    var out: [UInt8] = []
    for m in members {
      let path = Array(m.path.utf8)
      let head = Array("XBSTCK01".utf8) + [0, UInt8(ascii: "P")] + le(UInt64(path.count), 4) + path
      out += head + le(UInt64(m.bytes.count), 8) + le(0, 8) + le(UInt64(CRC32.checksum(m.bytes)), 4) + m.bytes
      out += Array("XBSTCK01".utf8) + [0, UInt8(ascii: "E")] + le(UInt64(path.count), 4) + path
    }
    return out
  }

  public static func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
}
