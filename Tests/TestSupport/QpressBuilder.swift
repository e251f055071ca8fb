import Formats

/// Builds qpress archives for tests: header, items, blocks (stored QuickLZ packets unless given a
/// packet), trailers, with correct Adler-32 and recovery offsets unless told otherwise.
public struct QpressBuilder {
  public private(set) var bytes: [UInt8] = []
  private var running: UInt64 = 0

  static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
  static func le64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

  public init(chunkSize: UInt64 = 65536, magic: String = "qpress10") {
    bytes = Array(magic.utf8) + Self.le64(chunkSize)
  }

  /// Offset the next structure will start at.
  public var offset: Int { bytes.count }

  public mutating func directory(_ name: String) { item(UInt8(ascii: "D"), Array(name.utf8)) }
  public mutating func up() { bytes.append(UInt8(ascii: "U")) }
  public mutating func file(_ name: String) { item(UInt8(ascii: "F"), Array(name.utf8)); running = 0 }
  public mutating func item(_ tag: UInt8, _ name: [UInt8], terminator: UInt8 = 0) {
    bytes += [tag] + Self.le32(UInt32(name.count)) + name + [terminator]
  }

  /// A stored (uncompressed) QuickLZ packet of `data` at `level`.
  public static func storedPacket(_ data: [UInt8], level: Int = 1) -> [UInt8] {
    let long = data.count >= 216
    let flags = UInt8(0x40 | (level << 2) | (long ? 0x02 : 0))
    if long { return [flags] + le32(UInt32(9 + data.count)) + le32(UInt32(data.count)) + data }
    return [flags, UInt8(3 + data.count), UInt8(data.count)] + data
  }

  /// A block holding `packet` (its declared decompressed length advances the recovery offset).
  public mutating func block(packet: [UInt8], recovery: UInt64? = nil, adler: UInt32? = nil,
                             marker: String = "NEWBNEWB") {
    bytes += Array(marker.utf8) + Self.le64(recovery ?? running) + Self.le32(adler ?? Adler32.checksum(packet)) + packet
    if let p = try? packet.withUnsafeBytes({ try QuickLZPacketHeader(parsing: $0) }) { running += UInt64(p.decompressedLength) }
  }

  public mutating func block(stored data: [UInt8], level: Int = 1) { block(packet: Self.storedPacket(data, level: level)) }

  public mutating func trailer(value: UInt64 = 0, marker: String = "ENDSENDS") {
    bytes += Array(marker.utf8) + Self.le64(value)
  }

  /// A whole file entry cut into stored blocks of at most `chunk` bytes.
  public mutating func storedFile(_ name: String, _ data: [UInt8], chunk: Int = 65536, level: Int = 1) {
    file(name)
    var i = 0
    while i < data.count { let n = min(chunk, data.count - i); block(stored: Array(data[i..<(i + n)]), level: level); i += n }
    trailer()
  }

  public mutating func raw(_ b: [UInt8]) { bytes += b }
}
