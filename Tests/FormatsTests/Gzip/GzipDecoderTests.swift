import Testing
import Formats

/// Collects a decoder's calls.
final class GzipRecorder: GzipDecoderDelegate {
  var headers: [GzipMemberHeader] = []
  var output: [UInt8] = []
  var trailers: [GzipDecoder.Trailer] = []
  func gzipMember(_ header: GzipMemberHeader) { headers.append(header) }
  func gzipOutput(_ bytes: UnsafeRawBufferPointer) { output.append(contentsOf: bytes) }
  func gzipMemberEnd(_ trailer: GzipDecoder.Trailer) { trailers.append(trailer) }
}

@Suite struct GzipDecoderTests {
  /// `printf 'hi\n' | gzip -n` (gzip 1.12): no name, MTIME 0.
  static let hi: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0xc8, 0xe4, 0x02, 0x00,
                            0x7a, 0x7a, 0x6f, 0xed, 0x03, 0x00, 0x00, 0x00]

  static func run(_ bytes: [UInt8], step: Int = .max) -> (GzipRecorder, GzipError?) {
    let d = GzipDecoder(), r = GzipRecorder()
    var i = 0
    do {
      while i < bytes.count {
        let n = min(step, bytes.count - i)
        try bytes[i..<(i + n)].withUnsafeBytes { p in try d.feed(p, to: r) }
        i += n
      }
      try d.finish()
    } catch let e as GzipError { return (r, e) } catch { return (r, nil) }
    return (r, nil)
  }

  @Test(arguments: [Int.max, 1, 3])
  func twoMembersDecodeWithMatchingTrailers(step: Int) {
    let (r, e) = Self.run(Self.hi + Self.hi, step: step)
    #expect(e == nil)
    #expect(r.output == Array("hi\nhi\n".utf8))
    #expect(r.headers.map(\.offset) == [0, 23])
    #expect(r.trailers.allSatisfy { $0.crcMatches && $0.sizeMatches })
    #expect(r.trailers.first?.storedCRC == 0xED6F_7A7A)
  }

  /// `hi` again with FCOMMENT set and a comment of `length` bytes: long NUL-terminated fields are
  /// gathered up to their NUL at once (a byte-at-a-time re-parse was quadratic: 30 s for 60 KB).
  static func withComment(_ length: Int) -> [UInt8] {
    var b = hi
    b[3] = 0x10
    b.insert(contentsOf: Array(repeating: UInt8(ascii: "c"), count: length) + [0], at: 10)
    return b
  }

  @Test(arguments: [Int.max, 7])
  func longCommentsInManyMembersDecode(step: Int) {
    let one = Self.withComment(60_000)
    let (r, e) = Self.run(Array([[UInt8]](repeating: one, count: 20).joined()), step: step)
    #expect(e == nil)
    #expect(r.headers.count == 20)
    #expect(r.headers.last?.comment?.count == 60_000)
    #expect(r.output.count == 60)
  }

  @Test func headerFieldsAreParsedWithTheirCRC() throws {
    // FLG = FHCRC | FNAME, name "a.txt".
    var h: [UInt8] = [0x1f, 0x8b, 8, 0x0A, 1, 0, 0, 0, 0, 3] + Array("a.txt".utf8) + [0]
    let crc = UInt16(truncatingIfNeeded: CRC32.checksum(h))
    h += [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    guard case .complete(let header) = try GzipMemberHeader.parse(h, at: 0) else { Issue.record("incomplete"); return }
    #expect(header.name == Array("a.txt".utf8))
    #expect(header.headerLength == h.count)
    #expect(header.modificationTime == 1)
    #expect(try GzipMemberHeader.parse(Array(h.prefix(12)), at: 0) == .needMore(13))
    h[h.count - 1] ^= 1
    #expect(throws: GzipError.headerCRCMismatch(offset: 0, stored: (crc ^ 0x100), computed: crc)) { try GzipMemberHeader.parse(h, at: 0) }
  }

  @Test func overlongNameIsRefusedAtTheLimit() {
    let h: [UInt8] = [0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3] + [UInt8](repeating: 0x61, count: GzipLimits.maxNameLength + 1)
    #expect(throws: GzipError.fieldTooLong(offset: 0, field: "FNAME", limit: GzipLimits.maxNameLength)) {
      try GzipMemberHeader.parse(h, at: 0)
    }
  }

  @Test func damageIsTypedWithOffsets() {
    var crc = Self.hi; crc[15] ^= 1
    #expect(Self.run(crc).0.trailers.first?.crcMatches == false)
    #expect(Self.run(Array(Self.hi.prefix(20))).1 == .truncated(memberOffset: 0, structure: "trailer (CRC-32, ISIZE)"))
    #expect(Self.run(Self.hi + [0x41]).1 == .trailingGarbage(offset: 23, count: 1, allZero: false))
    #expect(Self.run(Self.hi + [0x1f, 0x8b, 9]).1 == .truncated(memberOffset: 0, structure: "header"))
    var cm = Self.hi + Self.hi; cm[25] = 9
    #expect(Self.run(cm).1 == .badHeader(offset: 23, field: "CM", found: "9 (only 8, deflate, is defined)"))
  }
}
