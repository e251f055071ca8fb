/// One 512-byte tar header block (POSIX ustar, GNU tar 1.34, or pre-POSIX v7).
///
/// On-disk layout (text fields NUL-terminated unless full; numbers octal text, or GNU base-256
/// when the first byte has bit 7 set):
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 100 | name |
/// | 100 | 8 | mode |
/// | 108 | 8 | uid |
/// | 116 | 8 | gid |
/// | 124 | 12 | size |
/// | 136 | 12 | mtime |
/// | 148 | 8 | chksum: sum of the 512 bytes with this field as spaces (old writers sum signed bytes) |
/// | 156 | 1 | typeflag: `0`/NUL file, `1` hard link, `2` symlink, `3` `4` devices, `5` dir, `6` fifo, `7` contiguous; `L` `K` GNU long name/link, `x` `g` pax |
/// | 157 | 100 | linkname |
/// | 257 | 6 | magic: `ustar\0` (POSIX) or `ustar ` (GNU, with version ` \0`) |
/// | 263 | 2 | version `00` (POSIX) |
/// | 265 | 32 | uname |
/// | 297 | 32 | gname |
/// | 329 | 8 | devmajor |
/// | 337 | 8 | devminor |
/// | 345 | 155 | prefix (POSIX: the path is prefix "/" name); GNU keeps atime, ctime, … here |
public struct TarHeader: Equatable, Sendable {
  public enum Format: String, Sendable { case posix = "ustar", gnu, v7 }

  /// Stream offset of the block.
  public var offset: Int64
  public var format: Format
  /// name, or prefix "/" name for POSIX ustar (untrusted bytes).
  public var name: [UInt8]
  public var linkName: [UInt8]
  public var typeflag: UInt8
  public var size: UInt64
  public var mode: UInt64
  /// The checksum matched only the signed sum (pre-POSIX writers).
  public var hasSignedChecksum: Bool

  /// Whether all 512 bytes are zero (end-of-archive marker).
  public static func isZeroBlock(_ block: [UInt8]) -> Bool { !block.contains { $0 != 0 } }

  /// Parses one header block (exactly ``TarLimits/blockSize`` bytes).
  public init(parsing block: [UInt8], at offset: Int64) throws(TarError) {
    precondition(block.count == TarLimits.blockSize)
    self.offset = offset
    let stored = try Self.number(block, 148, 8, "chksum", offset)
    var unsigned: UInt32 = 0
    var signed: Int32 = 0
    for (i, b) in block.enumerated() {
      let v = (148..<156).contains(i) ? UInt8(ascii: " ") : b
      unsigned &+= UInt32(v)
      signed &+= Int32(Int8(bitPattern: v))
    }
    if stored == UInt64(unsigned) {
      hasSignedChecksum = false
    } else if Int64(signed) >= 0 && stored == UInt64(signed) {
      hasSignedChecksum = true
    } else {
      throw .badChecksum(offset: offset, stored: ByteText.preview(Self.trimmed(Array(block[148..<156]))), unsignedSum: unsigned, signedSum: signed)
    }
    if block.hasBytes(Array("ustar\u{0}".utf8), at: 257) { format = .posix }
    else if block.hasBytes(Array("ustar  \u{0}".utf8), at: 257) { format = .gnu }
    else { format = .v7 }
    typeflag = block[156]
    size = try Self.number(block, 124, 12, "size", offset)
    mode = try Self.number(block, 100, 8, "mode", offset)
    name = Self.text(block, 0, 100)
    linkName = Self.text(block, 157, 100)
    if format == .posix {
      let prefix = Self.text(block, 345, 155)
      if !prefix.isEmpty { name = prefix + [UInt8(ascii: "/")] + name }
    }
  }

  /// A NUL-terminated (or full-width) text field.
  static func text(_ b: [UInt8], _ at: Int, _ width: Int) -> [UInt8] {
    let field = b[at..<(at + width)]
    return Array(field.prefix { $0 != 0 })
  }

  static func trimmed(_ b: [UInt8]) -> [UInt8] { Array(b.prefix { $0 != 0 }) }

  /// A numeric field: octal text (leading spaces, ended by NUL or space) or GNU base-256.
  static func number(_ b: [UInt8], _ at: Int, _ width: Int, _ field: String, _ offset: Int64) throws(TarError) -> UInt64 {
    let f = Array(b[at..<(at + width)])
    if f[0] & 0x80 != 0 {
      // Base-256: 0x80 marks a positive number in the remaining bytes (0xFF: negative, invalid here).
      guard f[0] == 0x80 else { throw .badNumber(offset: offset, field: field, found: f) }
      var v: UInt64 = 0
      for byte in f.dropFirst() {
        guard v >> 56 == 0 else { throw .badNumber(offset: offset, field: field, found: f) }
        v = v << 8 | UInt64(byte)
      }
      return v
    }
    var i = 0
    while i < width && f[i] == UInt8(ascii: " ") { i += 1 }
    var v: UInt64 = 0
    while i < width, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(f[i]) {
      guard v >> 61 == 0 else { throw .badNumber(offset: offset, field: field, found: f) }
      v = v << 3 | UInt64(f[i] - UInt8(ascii: "0"))
      i += 1
    }
    // After the digits only terminators (NUL, space) may follow.
    guard f[i...].allSatisfy({ $0 == 0 || $0 == UInt8(ascii: " ") }) else {
      throw .badNumber(offset: offset, field: field, found: f)
    }
    return v
  }
}
