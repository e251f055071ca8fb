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
    var b = StreamBuilder()
    for (path, bytes) in members {
      if !bytes.isEmpty { b.payload(path, bytes) }
      b.eof(path)
    }
    return b.bytes
  }
}
