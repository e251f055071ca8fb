import Formats

/// Builds xbstream bytes for tests, chunk by chunk, with correct CRCs unless told otherwise.
public struct StreamBuilder {
  public private(set) var bytes: [UInt8] = []
  public init() {}

  static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
  static func le64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

  /// Offset the next chunk will start at.
  public var offset: Int { bytes.count }

  public mutating func payload(_ path: String, _ data: [UInt8], offset: UInt64 = 0, flags: UInt8 = 0,
                               type: UInt8 = UInt8(ascii: "P"), crc: UInt32? = nil, declaredLength: UInt64? = nil) {
    header(path, flags: flags, type: type)
    bytes += Self.le64(declaredLength ?? UInt64(data.count)) + Self.le64(offset)
    bytes += Self.le32(crc ?? CRC32.checksum(data)) + data
  }

  public mutating func sparse(_ path: String, map: [(UInt32, UInt32)], data: [UInt8], offset: UInt64, crc: UInt32? = nil) {
    header(path, flags: 0, type: UInt8(ascii: "S"))
    var mapBytes: [UInt8] = []
    for (skip, len) in map { mapBytes += Self.le32(skip) + Self.le32(len) }
    bytes += Self.le32(UInt32(map.count)) + Self.le64(UInt64(data.count)) + Self.le64(offset)
    bytes += Self.le32(crc ?? CRC32.checksum(mapBytes + data)) + mapBytes + data
  }

  public mutating func eof(_ path: String) { header(path, flags: 0, type: UInt8(ascii: "E")) }

  public mutating func raw(_ b: [UInt8]) { bytes += b }

  /// A one-payload-chunk member followed by its EOF chunk.
  public mutating func file(_ path: String, _ data: [UInt8]) { payload(path, data); eof(path) }

  mutating func header(_ path: String, flags: UInt8, type: UInt8) { header(raw: Array(path.utf8), flags: flags, type: type) }

  mutating func header(raw p: [UInt8], flags: UInt8, type: UInt8) {
    bytes += Array("XBSTCK01".utf8) + [flags, type] + Self.le32(UInt32(p.count)) + p
  }

  /// A member whose path is raw bytes (invalid UTF-8, NUL…): one payload chunk and its EOF chunk.
  public mutating func file(rawPath p: [UInt8], _ data: [UInt8]) {
    header(raw: p, flags: 0, type: UInt8(ascii: "P"))
    bytes += Self.le64(UInt64(data.count)) + Self.le64(0) + Self.le32(CRC32.checksum(data)) + data
    header(raw: p, flags: 0, type: UInt8(ascii: "E"))
  }
}
