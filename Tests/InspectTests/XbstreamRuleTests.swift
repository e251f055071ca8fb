import Testing
import Inspect
import TestSupport

/// Rules X1–X20 on small built streams: the finding code, offset and member.
@Suite struct XbstreamRuleTests {
  @Test func lastMemberWithoutEOFFails() {
    var s = StreamBuilder()
    s.file("a", [1])
    s.payload("b", [2, 3])
    let r = Run.verify(s.bytes)
    #expect(r.verdict == .failed)
    let f = r.findings("xbstream.missing_eof")
    #expect(f.count == 1 && f[0].member == "b")
  }

  @Test func ignorableUnknownChunkIsSkippedWithAWarning() {
    var s = StreamBuilder()
    s.payload("a", [1, 2], offset: 0)
    let at = s.offset
    s.payload("a", [9, 9, 9], offset: 2, flags: 1, type: UInt8(ascii: "X"))
    s.payload("a", [3], offset: 2)
    s.eof("a")
    let r = Run.verify(s.bytes)
    #expect(r.verdict == .verified)
    #expect(r.findings("xbstream.ignorable_chunk").map(\.offset) == [Int64(at)])
    #expect(r.members.map(\.size) == [3])
  }

  @Test func crcMismatchNamesChunkMemberAndValues() {
    var s = StreamBuilder()
    s.file("a", [1])
    let at = s.offset
    s.payload("b", [1, 2, 3], crc: 0xDEADBEEF)
    s.eof("b")
    let f = Run.verify(s.bytes).findings("xbstream.crc_mismatch")
    #expect(f.count == 1)
    #expect(f.first?.offset == Int64(at))
    #expect(f.first?.member == "b")
    #expect(f.first?.expected == "0xdeadbeef")
  }

  @Test func gapAndOverlapAreOffsetMismatches() {
    var s = StreamBuilder()
    s.payload("a", [1, 2], offset: 0)
    s.payload("a", [3], offset: 5)
    s.payload("a", [4], offset: 1)
    s.eof("a")
    let f = Run.verify(s.bytes).findings("xbstream.offset_mismatch")
    #expect(f.map(\.expected) == ["2", "6"])
    #expect(f.map(\.found) == ["5", "1"])
  }

  @Test func sparseHolesAreZerosInTheMemberDigest() {
    // P [0,4) then S with a 4-byte hole and 2 bytes: logical file = 1 2 3 4 0 0 0 0 5 6.
    var s = StreamBuilder()
    s.payload("t", [1, 2, 3, 4])
    s.sparse("t", map: [(4, 2)], data: [5, 6], offset: 4)
    s.eof("t")
    var plain = StreamBuilder()
    plain.file("t", [1, 2, 3, 4, 0, 0, 0, 0, 5, 6])
    let sparse = Run.verify(s.bytes), flat = Run.verify(plain.bytes)
    #expect(sparse.verdict == .verified)
    #expect(sparse.members[0].sparse)
    #expect(sparse.members[0].sha256 == flat.members[0].sha256)
    #expect(sparse.members[0].size == 10)
  }

  @Test func duplicateMemberAfterEOFIsAnError() {
    var s = StreamBuilder()
    s.file("x", [1])
    let at = s.offset
    s.file("x", [1])
    let f = Run.verify(s.bytes).findings("xbstream.duplicate_member")
    #expect(f.map(\.offset) == [Int64(at)])
  }

  @Test(arguments: [("/etc/passwd", true), ("a/../../x", true), ("..", true), ("..data/x", false), ("a/..b", false),
                    (".", true), ("./", true), ("./a", false)])
  func unsafePaths(path: String, unsafe: Bool) {
    var s = StreamBuilder()
    s.file(path, [1])
    let r = Run.verify(s.bytes)
    #expect(r.findings("xbstream.unsafe_path").count == (unsafe ? 1 : 0))
    #expect(r.verdict == (unsafe ? .failed : .verified))
  }

  @Test(arguments: [(Array("./a/./b//c/".utf8), "xbstream.noncanonical_path"), ([0x61, 0xFF, 0xFE, 0xC0, 0x80], "xbstream.invalid_utf8_path")])
  func oddPathsAreWarnings(path: [UInt8], code: String) {
    var s = StreamBuilder()
    s.file(rawPath: path, [1])
    let r = Run.verify(s.bytes)
    #expect(r.findings(code).count == 1)
    #expect(r.verdict == .verified)
  }

  @Test func trailingZerosAfterTheLastChunk() {
    var s = StreamBuilder()
    s.file("a", [1])
    let at = s.offset
    s.raw(Array(repeating: 0, count: 512))
    let f = Run.verify(s.bytes).findings("xbstream.trailing_garbage")
    #expect(f.map(\.offset) == [Int64(at)])
    #expect(f.first?.message.hasPrefix("512 zero bytes") == true)
  }

  @Test func emptyInputIsAWarningNotAFailure() {
    let r = Run.verify([])
    #expect(r.verdict == .verified)
    #expect(r.codes == ["input.empty"])
  }

  @Test func controlCharactersAreEscapedInReportedPaths() {
    var s = StreamBuilder()
    s.file("evil\u{1b}[31m\nname", [1])
    let r = Run.verify(s.bytes)
    #expect(r.members[0].path == "evil\\x1b[31m\\x0aname")
    #expect(r.findings("xbstream.control_character_in_path").count == 1)
  }

  @Test(arguments: [1, 7])
  func dripFedHostileStreamGivesTheSameFindings(step: Int) {
    var s = StreamBuilder()
    s.file("a", [1, 2, 3])
    s.payload("b", [1], crc: 1)
    s.raw(Array("garbage".utf8))
    #expect(Run.verify(s.bytes, step: step).findings == Run.verify(s.bytes).findings)
  }
}

/// Findings in a small member (held by the sniffer until its end) point at the chunk that carried
/// the failing structure, not at the chunk being read when the member ended.
@Suite struct HeldBytesOffsetTests {
  @Test func innerFindingOfASmallMemberPointsAtItsCarryingChunk() throws {
    var q = QpressBuilder(chunkSize: 65536)
    q.file("tiny.cnf")
    let marker = q.bytes.count
    q.block(packet: QpressBuilder.storedPacket(Array("hello".utf8)), adler: 0x1234_5678)
    q.trailer()
    // The archive travels in two chunks split after the block marker; then the EOF chunk.
    var s = StreamBuilder()
    s.file("other", [1, 2, 3])
    let first = s.offset
    s.payload("tiny.cnf.qp", Array(q.bytes[..<(marker + 8)]))
    s.payload("tiny.cnf.qp", Array(q.bytes[(marker + 8)...]), offset: UInt64(marker + 8))
    s.eof("tiny.cnf.qp")
    let r = Run.verify(s.bytes)
    let f = try #require(r.findings("qpress.adler_mismatch").first)
    #expect(f.offset == Int64(first))
    #expect(f.layerOffset == Int64(marker))
    #expect(f.member == "tiny.cnf.qp")
  }
}

@Suite struct XbstreamLimitTests {
  /// At the limit every member verifies; one more open member is refused with a finding.
  @Test(arguments: [VerifyLimits.maxOpenMembers, VerifyLimits.maxOpenMembers + 1])
  func openMembersAtAndPastTheLimit(count: Int) {
    var s = StreamBuilder()
    for i in 0..<count { s.payload("m\(i)", [1]) }
    for i in 0..<count { s.eof("m\(i)") }
    let r = Run.verify(s.bytes)
    let over = count > VerifyLimits.maxOpenMembers
    #expect(r.findings("limit.open_members").count == (over ? 1 : 0))
    #expect(r.verdict == (over ? .incomplete : .verified))
    // Nothing after the limit is reported as verified: no digest for the members cut off, and no
    // empty member made up from a refused member's EOF chunk.
    #expect(r.members.count == min(count, VerifyLimits.maxOpenMembers))
    #expect(r.members.filter { $0.sha256 != nil }.count == (over ? 0 : count))
  }
}
