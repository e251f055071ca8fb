import Testing
import Formats

@Suite struct LZ4FrameHeaderTests {
  @Test func specExampleHeader() throws {
    let b: [UInt8] = [0x04, 0x22, 0x4d, 0x18, 0x6c, 0x40, 0x06, 0, 0, 0, 0, 0, 0, 0, 0x89]
    guard case .complete(let h) = try LZ4FrameHeader.parse(b, at: 0) else { Issue.record("incomplete"); return }
    #expect(h.flg == LZ4FrameHeader.xtrabackupFLG)
    #expect(h.contentSize == 6)
    #expect(h.blockMaximum == 64 * 1024)
    #expect(h.headerLength == 15)
    #expect(h.hasContentChecksum && !h.hasBlockChecksum)
    #expect(try LZ4FrameHeader.parse(Array(b.prefix(7)), at: 0) == .needMore(15))
  }

  @Test func blockMaximaAndBadFields() {
    #expect((3...8).map { LZ4Limits.blockMaximum(code: $0) } == [nil, 65_536, 262_144, 1_048_576, 4_194_304, nil])
    #expect(throws: LZ4Error.badHeader(frameOffset: 9, field: "BD block maximum code", expected: "4–7", found: "3")) {
      try LZ4FrameHeader.parse([0x04, 0x22, 0x4d, 0x18, 0x6c, 0x30], at: 9)
    }
    #expect(throws: LZ4Error.self) { try LZ4FrameHeader.parse([0x04, 0x22, 0x4d, 0x18, 0x6e, 0x40], at: 0) }
  }
}
