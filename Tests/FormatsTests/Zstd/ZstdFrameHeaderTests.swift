import Testing
import Formats

@Suite struct ZstdFrameHeaderTests {
  @Test func windowAndContentSizeFields() throws {
    // Descriptor 0x44: FCS 2 bytes? no: flag 01 → 2 bytes (+256), checksum; window descriptor 0x58.
    let b: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x44, 0x58, 0x10, 0x00]
    guard case .complete(let h) = try ZstdFrameHeader.parse(b, at: 7) else { Issue.record("incomplete"); return }
    #expect(h.hasChecksum)
    #expect(h.contentSize == 0x10 + 256)
    #expect(h.windowSize == 1 << 21)  // exponent 11 → 2^21
    #expect(h.headerLength == 8)
    #expect(try ZstdFrameHeader.parse(Array(b.prefix(6)), at: 0) == .needMore(8))
    #expect(try ZstdFrameHeader.parse([0x41, 0x42, 0x43, 0x44], at: 0) == .notAFrame)
  }

  @Test func skippableAndReservedBit() throws {
    guard case .complete(let s) = try ZstdFrameHeader.parse([0x50, 0x2A, 0x4D, 0x18, 5, 0, 0, 0], at: 0) else { Issue.record("x"); return }
    #expect(s.isSkippable && s.skippableSize == 5)
    #expect(throws: ZstdError.reservedBit(frameOffset: 0, descriptor: 0x08)) {
      try ZstdFrameHeader.parse([0x28, 0xB5, 0x2F, 0xFD, 0x08, 0], at: 0)
    }
  }
}
