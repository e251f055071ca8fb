import Testing
import Formats

@Suite struct TarHeaderTests {
  static func block(name: String, size: [UInt8], type: UInt8 = UInt8(ascii: "0"), magic: String = "ustar  \u{0}") -> [UInt8] {
    var h = [UInt8](repeating: 0, count: 512)
    h.replaceSubrange(0..<name.utf8.count, with: Array(name.utf8))
    h.replaceSubrange(124..<(124 + size.count), with: size)
    h[156] = type
    h.replaceSubrange(257..<(257 + magic.utf8.count), with: Array(magic.utf8))
    for i in 148..<156 { h[i] = 0x20 }
    let s = String(h.reduce(0) { $0 + Int($1) }, radix: 8)
    h.replaceSubrange(148..<155, with: Array((String(repeating: "0", count: 6 - s.count) + s + "\u{0}").utf8))
    return h
  }

  @Test func octalAndBase256Sizes() throws {
    let octal = try TarHeader(parsing: Self.block(name: "a", size: Array("00000000012\u{0}".utf8)), at: 0)
    #expect(octal.size == 10)
    #expect(octal.format == .gnu)
    let spaced = try TarHeader(parsing: Self.block(name: "a", size: Array("     12 ".utf8)), at: 0)
    #expect(spaced.size == 10)
    let big = try TarHeader(parsing: Self.block(name: "a", size: [0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0]), at: 0)
    #expect(big.size == 1 << 33)
    #expect(throws: TarError.self) { try TarHeader(parsing: Self.block(name: "a", size: Array("12x".utf8)), at: 512) }
    #expect(throws: TarError.self) { try TarHeader(parsing: Self.block(name: "a", size: [0xFF, 0xFF]), at: 0) }
  }

  @Test func posixPrefixJoinsTheName() throws {
    var b = Self.block(name: "file", size: Array("0".utf8), magic: "ustar\u{0}00")
    b.replaceSubrange(345..<348, with: Array("dir".utf8))
    // Re-sign after the edit.
    for i in 148..<156 { b[i] = 0x20 }
    let s = String(b.reduce(0) { $0 + Int($1) }, radix: 8)
    b.replaceSubrange(148..<155, with: Array((String(repeating: "0", count: 6 - s.count) + s + "\u{0}").utf8))
    let h = try TarHeader(parsing: b, at: 0)
    #expect(h.format == .posix)
    #expect(h.name == Array("dir/file".utf8))
  }

  @Test func checksumMismatchCarriesBothSums() {
    var b = Self.block(name: "a", size: Array("0".utf8))
    b[0] = UInt8(ascii: "b")
    #expect(throws: TarError.self) { try TarHeader(parsing: b, at: 1024) }
  }
}
