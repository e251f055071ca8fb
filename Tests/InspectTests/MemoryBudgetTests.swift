import Testing
import Inspect
import TestSupport

/// Large per-member buffers of interleaved members share one budget per input.
@Suite struct MemoryBudgetTests {
  /// A zstd frame declaring a 2^27-byte window (no content size) holding one raw block of `n` bytes.
  static func bigWindowFrame(_ n: Int) -> [UInt8] {
    let block = UInt32(1 | (n << 3))  // last block, raw, size n
    return [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x88] + [UInt8(block & 0xFF), UInt8(block >> 8 & 0xFF), UInt8(block >> 16)]
      + Array(repeating: 0x41, count: n)
  }

  @Test(arguments: [4, 5])
  func interleavedBigWindowsShareTheBudget(members: Int) {
    // Every member's frame starts before any member ends: windows are held at once.
    var s = StreamBuilder()
    for i in 0..<members { s.payload("t\(i).dat.zst", Self.bigWindowFrame(600)) }
    for i in 0..<members { s.eof("t\(i).dat.zst") }
    let r = Run.verify(s.bytes)
    let fit = MemoryBudget.limit / (1 << 27)
    #expect(r.findings("limit.memory").count == max(0, members - fit))
    #expect(r.verdict == (members > fit ? .incomplete : .verified))
  }

  @Test func sequentialMembersReleaseTheirWindows() {
    var s = StreamBuilder()
    for i in 0..<8 { s.file("t\(i).dat.zst", Self.bigWindowFrame(600)) }
    let r = Run.verify(s.bytes)
    #expect(r.findings("limit.memory").isEmpty)
    #expect(r.members.count == 8 && r.members.allSatisfy { $0.size == 600 })
  }
}
