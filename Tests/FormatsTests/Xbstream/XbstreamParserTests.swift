import Testing
import Formats
import TestSupport

/// Records what the parser reports.
final class Recorder: XbstreamParserDelegate {
  var headers: [XbstreamChunkHeader] = []
  var payload: [UInt8] = []
  var checks: [(stored: UInt32, computed: UInt32)] = []
  func xbstreamChunk(_ header: XbstreamChunkHeader) { headers.append(header) }
  func xbstreamPayload(_ bytes: UnsafeRawBufferPointer) { payload += bytes }
  func xbstreamChunkEnd(_ header: XbstreamChunkHeader, computedChecksum: UInt32) { checks.append((header.checksum, computedChecksum)) }
}

func parse(_ bytes: [UInt8], step: Int = .max, dialect: XbstreamDialect = .auto) throws(XbstreamError) -> Recorder {
  let r = Recorder()
  var p = XbstreamParser(dialect: dialect)
  var i = 0
  while i < bytes.count {
    let n = min(step, bytes.count - i)
    let slice = Array(bytes[i..<(i + n)])
    let result = slice.withUnsafeBytes { b in Result { () throws(XbstreamError) in try p.feed(b, to: r) } }
    try result.get()
    i += n
  }
  try p.finish(r)
  return r
}

@Suite struct XbstreamParserTests {
  @Test func specWorkedExampleParses() throws {
    // §1.11: member a/b.txt = "hello\n", CRC 0x363A3020.
    var s = StreamBuilder()
    s.file("a/b.txt", Array("hello\n".utf8))
    #expect(Array(s.bytes[37..<41]) == [0x20, 0x30, 0x3a, 0x36])
    let r = try parse(s.bytes)
    #expect(r.headers.map(\.kind) == [.payload, .eof])
    #expect(r.payload == Array("hello\n".utf8))
    #expect(r.checks[0].stored == 0x363A3020 && r.checks[0].computed == 0x363A3020)
  }

  @Test func sparseChecksumCoversMapThenPayload() throws {
    // §1.11: map {(0,4),(8,2)}, payload "ABCDEF": CRC 0x9E99F727 (not the payload-only 0xBB76FE69).
    var s = StreamBuilder()
    s.sparse("t1.ibd", map: [(0, 4), (8, 2)], data: Array("ABCDEF".utf8), offset: 0)
    s.eof("t1.ibd")
    let r = try parse(s.bytes, dialect: .percona)
    #expect(r.headers[0].checksum == 0x9E99F727)
    #expect(r.checks[0].computed == 0x9E99F727)
    #expect(r.headers[0].logicalExtent == 14)
  }

  @Test(arguments: [1, 3, 7, 64])
  func pieceSizeDoesNotChangeTheResult(step: Int) throws {
    var s = StreamBuilder()
    s.file("x", Array(repeating: 7, count: 1000))
    s.sparse("y", map: [(4096, 10)], data: Array(repeating: 1, count: 10), offset: 0)
    s.eof("y")
    let whole = try parse(s.bytes), drip = try parse(s.bytes, step: step)
    #expect(drip.headers == whole.headers)
    #expect(drip.payload == whole.payload)
  }

  @Test(arguments: [1, 7, 13])
  func truncatedConstantHeaderIsAnError(length: Int) {
    var s = StreamBuilder()
    s.file("a", [1])
    let cut = s.bytes.count + length
    s.file("b", [2])
    #expect(throws: XbstreamError.truncated(offset: Int64(cut - length), structure: "chunk header", needed: 14, available: UInt64(length))) {
      try parse(Array(s.bytes.prefix(cut)))
    }
  }

  @Test func hugePayloadLengthIsTruncationNotAllocation() {
    var s = StreamBuilder()
    s.payload("big", Array(repeating: 0, count: 60), declaredLength: 1 << 63)
    #expect(throws: XbstreamError.truncated(offset: 0, structure: "payload", needed: 1 << 63, available: 60)) {
      try parse(s.bytes)
    }
  }

  @Test func pathLength512IsRejected() {
    var bytes = Array("XBSTCK01".utf8) + [0, UInt8(ascii: "P"), 0x00, 0x02, 0, 0]
    bytes += Array(repeating: UInt8(ascii: "a"), count: 600)
    #expect(throws: XbstreamError.pathTooLong(offset: 0, length: 512)) { try parse(bytes) }
  }

  @Test func unknownTypeWithoutIgnorableFlagIsRejected() {
    var s = StreamBuilder()
    s.payload("x", [1], type: UInt8(ascii: "Z"))
    #expect(throws: XbstreamError.unknownType(offset: 0, type: UInt8(ascii: "Z"), flags: 0)) { try parse(s.bytes) }
  }

  @Test func unknownTypeWithIgnorableFlagIsParsedLikePayload() throws {
    var s = StreamBuilder()
    s.payload("x", [1, 2, 3], flags: 1, type: UInt8(ascii: "Z"))
    s.file("y", [4])
    let r = try parse(s.bytes)
    #expect(r.headers.map(\.kind) == [.ignorable(UInt8(ascii: "Z")), .payload, .eof])
  }

  @Test func mariadbSeekIsToldApartFromPerconaSparse() throws {
    // A MariaDB seek: 'S' + u64 offset, followed directly by the next chunk's magic.
    var s = StreamBuilder()
    s.payload("f", [1, 2, 3])
    s.raw(Array("XBSTCK01".utf8) + [0, UInt8(ascii: "S"), 1, 0, 0, 0, UInt8(ascii: "f")] + [0, 0x10, 0, 0, 0, 0, 0, 0])
    s.payload("f", [4], offset: 4096)
    s.eof("f")
    let r = try parse(s.bytes)
    #expect(r.headers.map(\.kind) == [.payload, .seek, .payload, .eof])
    #expect(r.headers[1].payloadOffset == 4096)
  }

  @Test func badMagicReportsWhatWasFound() {
    var s = StreamBuilder()
    s.file("a", [1])
    let at = s.offset
    s.raw(Array("2026-12-03 log line\n".utf8))
    #expect(throws: XbstreamError.badMagic(offset: Int64(at), found: Array("2026-12-03 log".utf8))) { try parse(s.bytes) }
  }
}
