import Testing
import Formats
import TestSupport

/// Decodes one packet with a fresh decoder; returns the output bytes.
func quickLZDecode(_ packet: [UInt8], max: Int = 65536) throws(QuickLZError) -> [UInt8] {
  var decoder = QuickLZDecoder()
  var out: [UInt8] = []
  let result = packet.withUnsafeBytes { p in
    Result { () throws(QuickLZError) -> QuickLZPacketHeader in try decoder.decompress(p, maxDecompressedLength: max, into: &out) }
  }
  let h = try result.get()
  return Array(out[..<Int(h.decompressedLength)])
}

func hexBytes(_ s: String) -> [UInt8] {
  let digits = s.filter(\.isHexDigit)
  var out: [UInt8] = []
  var i = digits.startIndex
  while i < digits.endIndex {
    let j = digits.index(i, offsetBy: 2)
    out.append(UInt8(digits[i..<j], radix: 16)!)
    i = j
  }
  return out
}

@Suite struct QuickLZDecoderTests {
  // MARK: §4.9 worked examples

  @Test func level1RepeatedDigits() throws {
    let packet = hexBytes("45 18 28  00 04 00 80  30 31 32 33 34 35 36 37 38 39  30 21 1a  36 37 38 39")
    #expect(try quickLZDecode(packet) == Array(String(repeating: "0123456789", count: 4).utf8))
  }

  @Test func level3OffsetMatch() throws {
    let packet = hexBytes("4d 17 28  08 00 00 80  61 62 63  e7 01 00  30 31 32 33 34 35 36 37 38 39")
    #expect(try quickLZDecode(packet) == Array((String(repeating: "abc", count: 10) + "0123456789").utf8))
  }

  @Test func level1AllTailLiterals() throws {
    #expect(try quickLZDecode(hexBytes("45 0c 05  00 00 00 80  68 65 6c 6c 6f")) == Array("hello".utf8))
  }

  @Test func tinyPaddedPacket() throws {
    // 3 bytes declared in a 12-byte packet: 2 trailing bytes of padding are ignored (§4.1, §10 item 19).
    #expect(try quickLZDecode(hexBytes("45 0c 03  00 00 00 80  61 62 63  aa bb")) == Array("abc".utf8))
  }

  @Test func storedPackets() throws {
    let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }
    #expect(try quickLZDecode(QpressBuilder.storedPacket(data)) == data)
    #expect(try quickLZDecode(QpressBuilder.storedPacket([1, 2, 3], level: 3)) == [1, 2, 3])
  }

  @Test func outputBufferIsReusedAcrossPackets() throws {
    var decoder = QuickLZDecoder()
    var out: [UInt8] = []
    for packet in [QpressBuilder.storedPacket(Array(repeating: 9, count: 1000)), hexBytes("45 0c 05 00 00 00 80 68 65 6c 6c 6f")] {
      let h = try packet.withUnsafeBytes { try decoder.decompress($0, maxDecompressedLength: 65536, into: &out) }
      #expect(out.count == 1000 + QuickLZDecoder.copySlack)  // grown once (with the copy slack), never shrunk
      #expect(h.decompressedLength == (packet.count == 12 ? 5 : 1000))
    }
    #expect(Array(out[..<5]) == Array("hello".utf8))
  }

  // MARK: §4.8 checks: hostile packets give typed errors, never traps

  @Test func decompressedLengthOverTheBound() {
    // Long header declaring 0xFFFFFFFF output bytes: rejected before any allocation.
    let packet = hexBytes("47 0d 00 00 00 ff ff ff ff 00 00 00 80")
    #expect(throws: QuickLZError.decompressedTooLarge(declared: 0xFFFF_FFFF, limit: 65536)) { try quickLZDecode(packet) }
    #expect(throws: QuickLZError.decompressedTooLarge(declared: 40, limit: 39)) {
      try quickLZDecode(hexBytes("45 18 28  00 04 00 80  30 31 32 33 34 35 36 37 38 39  30 21 1a  36 37 38 39"), max: 39)
    }
  }

  @Test func headerChecks() {
    #expect(throws: QuickLZError.badFlags(0x05)) { try quickLZDecode(hexBytes("05 0c 05 00 00 00 80 68 65 6c 6c 6f")) }
    #expect(throws: QuickLZError.badLevel(0x41)) { try quickLZDecode(hexBytes("41 0c 05 00 00 00 80 68 65 6c 6c 6f")) }
    #expect(throws: QuickLZError.streamingBuffer(0x55)) { try quickLZDecode(hexBytes("55 0c 05 00 00 00 80 68 65 6c 6c 6f")) }
    #expect(throws: QuickLZError.zeroDecompressedLength) { try quickLZDecode(hexBytes("45 0c 00 00 00 00 80 68 65 6c 6c 6f")) }
    #expect(throws: QuickLZError.packetTooShort(declared: 5, minimum: 9)) { try quickLZDecode(hexBytes("45 05 05 00 00")) }
    #expect(throws: QuickLZError.storedLengthMismatch(declared: 5, expected: 6)) { try quickLZDecode(hexBytes("44 05 03 61 62")) }
    #expect(throws: QuickLZError.packetLengthMismatch(declared: 12, available: 11)) {
      try quickLZDecode(hexBytes("45 0c 05 00 00 00 80 68 65 6c 6c"))
    }
    #expect(throws: QuickLZError.truncatedHeader(available: 4, needed: 9)) { try quickLZDecode(hexBytes("47 0d 00 00")) }
  }

  @Test func level3MatchBeforeTheStart() {
    // Control word: token 0 is a match; 1-byte level-3 token with distance 15 at output position 0.
    let packet = hexBytes("4d 18 28  01 00 00 80  3c") + Array(repeating: 0x41, count: 16)
    #expect(throws: QuickLZError.badMatchSource(offset: 7, position: 0, distance: 15)) { try quickLZDecode(packet) }
  }

  @Test func level1MatchToAnUnsetSlot() {
    // First token a match: no position is registered yet.
    let packet = hexBytes("45 18 28  01 00 00 80  30 21 1a") + Array(repeating: 0x41, count: 14)
    #expect(throws: QuickLZError.unsetHashSlot(offset: 7, slot: 0x213)) { try quickLZDecode(packet) }
  }

  @Test func matchRunningIntoTheLastFourBytes() {
    // The worked example with the match length raised from 26 to 27: it would leave only 3 literals.
    let packet = hexBytes("45 18 28  00 04 00 80  30 31 32 33 34 35 36 37 38 39  30 21 1b  36 37 38 39")
    #expect(throws: QuickLZError.badMatchLength(offset: 17, position: 10, length: 27, decompressedLength: 40)) { try quickLZDecode(packet) }
  }

  @Test func literalsPastThePacketEnd() {
    // Declares 40 output bytes but carries only the control word and 10 literals.
    let packet = hexBytes("45 11 28  00 00 00 80  30 31 32 33 34 35 36 37 38 39")
    #expect(throws: QuickLZError.readPastEnd(offset: 17, what: "literal")) { try quickLZDecode(packet) }
  }

  @Test func unconsumedBodyBytes() {
    #expect(throws: QuickLZError.unconsumedBytes(consumed: 12, declared: 14)) {
      try quickLZDecode(hexBytes("45 0e 05  00 00 00 80  68 65 6c 6c 6f 00 00"))
    }
  }

  /// Every truncation and every single-byte change of the worked examples decodes or throws.
  @Test func mutationsNeverTrap() {
    let samples = [
      hexBytes("45 18 28  00 04 00 80  30 31 32 33 34 35 36 37 38 39  30 21 1a  36 37 38 39"),
      hexBytes("4d 17 28  08 00 00 80  61 62 63  e7 01 00  30 31 32 33 34 35 36 37 38 39"),
    ]
    var outcomes = 0
    for s in samples {
      for cut in 0..<s.count { _ = try? quickLZDecode(Array(s[..<cut])); outcomes += 1 }
      for i in 0..<s.count {
        for v: UInt8 in [0x00, 0x01, 0x03, 0x7F, 0x80, 0xFF] {
          var m = s; m[i] = v
          _ = try? quickLZDecode(m); outcomes += 1
        }
      }
    }
    #expect(outcomes == (24 + 23) * 7)
  }
}
