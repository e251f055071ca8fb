import Formats

/// Reads members out of a plain xbstream and writes new ones, for tests that need real member bytes
/// (e.g. InnoDB pages) or a re-wrapped, edited member with valid chunk CRCs.
public enum XbstreamFixture {
  private final class Collector: XbstreamParserDelegate {
    var members: [(path: String, bytes: [UInt8])] = []
    var current: Int?
    func xbstreamChunk(_ header: XbstreamChunkHeader) {
      let path = String(decoding: header.path, as: UTF8.self)
      guard header.hasPayload else { current = nil; return }
      if let i = members.lastIndex(where: { $0.path == path }) { current = i } else {
        members.append((path, [])); current = members.count - 1
      }
    }
    func xbstreamPayload(_ bytes: UnsafeRawBufferPointer) {
      if let current { members[current].bytes.append(contentsOf: bytes) }
    }
    func xbstreamChunkEnd(_ header: XbstreamChunkHeader, computedChecksum: UInt32) { current = nil }
  }

  /// Every member with payload of a plain xbstream (payload bytes appended in stream order; holes,
  /// seeks and MariaDB D/R chunks are not applied), in order of first appearance.
  public static func members(of stream: [UInt8]) throws -> [(path: String, bytes: [UInt8])] {
    var parser = XbstreamParser()
    let c = Collector()
    try stream.withUnsafeBytes { try parser.feed($0, to: c) }
    try parser.finish(c)
    return c.members
  }

  public static func member(_ path: String, of stream: [UInt8]) throws -> [UInt8]? {
    try members(of: stream).first { $0.path == path }?.bytes
  }

  /// A plain xbstream holding `members`: one `P` chunk per member (none when empty) and an `E` chunk.
  public static func stream(_ members: [(path: String, bytes: [UInt8])]) -> [UInt8] {
    var out: [UInt8] = []
    func le32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    func le64(_ v: UInt64) { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    for (path, bytes) in members {
      let p = Array(path.utf8)
      if !bytes.isEmpty {
        out += XbstreamChunkHeader.magic; out += [0, UInt8(ascii: "P")]; le32(UInt32(p.count)); out += p
        le64(UInt64(bytes.count)); le64(0); le32(CRC32.checksum(bytes)); out += bytes
      }
      out += XbstreamChunkHeader.magic; out += [0, UInt8(ascii: "E")]; le32(UInt32(p.count)); out += p
    }
    return out
  }
}
