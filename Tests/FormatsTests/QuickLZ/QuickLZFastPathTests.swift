import Testing
@testable import Formats
import TestSupport

/// The level-1 fast path against the careful loop alone, on the real qpress samples' packets.
@Suite struct QuickLZFastPathTests {
  /// Every stored QuickLZ packet of a real qpress archive, in order.
  final class PacketCollector: QpressParserDelegate {
    var packets: [[UInt8]] = []
    var chunkSize = 0
    func qpressArchiveHeader(_ header: QpressArchiveHeader) { chunkSize = Int(header.chunkSize) }
    func qpressDirectory(_ item: QpressItem, directories: [[UInt8]], isUnmatched: Bool) {}
    func qpressFileStart(_ item: QpressItem, directories: [[UInt8]]) {}
    func qpressBlock(_ block: QpressBlockHeader, packet: UnsafeRawBufferPointer) { packets.append(Array(packet)) }
    func qpressFileEnd(_ trailer: QpressFileTrailer) {}
  }

  static func packets(_ file: String) throws -> (packets: [[UInt8]], chunkSize: Int) {
    let bytes = try Corpus.bytes(Corpus.realFile(file))
    let collector = PacketCollector()
    var parser = QpressParser()
    let fed = bytes.withUnsafeBytes { b in Result { () throws(QpressError) in try parser.feed(b, to: collector) } }
    try fed.get()
    try parser.finish(collector)
    return (collector.packets, collector.chunkSize)
  }

  /// The decoded bytes, or the error, with the fast path on or off.
  static func decode(_ packet: [UInt8], max: Int, fast: Bool) -> Result<[UInt8], QuickLZError> {
    var decoder = QuickLZDecoder()
    decoder.usesLevel1FastPath = fast
    var out: [UInt8] = []
    return packet.withUnsafeBytes { p in
      Result { () throws(QuickLZError) -> [UInt8] in
        let h = try decoder.decompress(p, maxDecompressedLength: max, into: &out)
        return Array(out[..<Int(h.decompressedLength)])
      }
    }
  }

  /// On valid packets the fast path runs until a margin stops it (never at a token), and leaves the
  /// output the careful loop writes.
  @Test func realPacketsRunToTheMargins() throws {
    let (packets, chunk) = try Self.packets("qp_dir_tinyshop_recursive.qp")
    var fastPackets = 0, fastBytes = 0, totalBytes = 0
    for packet in packets {
      let header = try QuickLZPacketHeader(parsing: packet.withUnsafeBytes { $0 })
      let total = Int(header.decompressedLength)
      totalBytes += total
      let careful = try Self.decode(packet, max: chunk, fast: false).get()
      #expect(try Self.decode(packet, max: chunk, fast: true).get() == careful)
      guard header.isCompressed, header.level == 1 else { continue }
      var out = [UInt8](repeating: 0, count: total + QuickLZDecoder.copySlack)
      var table = [UInt32](repeating: .max, count: 4096)
      var cursor = QuickLZDecoder.Cursor(s: header.headerLength, d: 0, control: 1, lastHashed: -1)
      packet.withUnsafeBytes { src in
        out.withUnsafeMutableBufferPointer { o in
          table.withUnsafeMutableBufferPointer { t in
            QuickLZDecoder.decodeLevel1Fast(src, total: total, into: o.baseAddress!, table: t.baseAddress!, cursor: &cursor)
          }
        }
      }
      let stoppedAtAMargin = cursor.d > total - QuickLZDecoder.FastMargin.output
        || (cursor.control == 1 && cursor.s > packet.count - QuickLZDecoder.FastMargin.input)
      #expect(stoppedAtAMargin, "stopped at output \(cursor.d) of \(total), packet byte \(cursor.s) of \(packet.count)")
      #expect(Array(out[..<cursor.d]) == Array(careful[..<cursor.d]))
      if cursor.d > 0 { fastPackets += 1; fastBytes += cursor.d }
    }
    #expect(packets.count == 18)
    #expect(totalBytes == Corpus.members(of: "qp_dir_tinyshop_recursive.qp").reduce(0) { $0 + Int($1.size) })
    #expect(fastPackets == 17)  // the 18th is a file's last, short packet: all margin
    #expect(fastBytes * 100 / totalBytes == 93)
  }

  /// Damaged packets: the fast path hands every token it cannot vouch for to the careful loop, so
  /// the result, error and offset included, is the careful loop's.
  @Test func damagedPacketsGiveTheCarefulLoopsFindings() throws {
    let (packets, chunk) = try Self.packets("qp_dir_tinyshop_recursive.qp")
    var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Int { rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return Int(rng >> 33) }
    var failures = 0, mutants = 0
    for packet in packets where packet.count > 64 {
      for _ in 0..<12 {
        var m = packet
        for _ in 0..<(1 + next() % 3) { m[9 + next() % (m.count - 9)] = UInt8(truncatingIfNeeded: next()) }
        let fast = Self.decode(m, max: chunk, fast: true), careful = Self.decode(m, max: chunk, fast: false)
        #expect(fast == careful)
        if case .failure = careful { failures += 1 }
        mutants += 1
      }
    }
    #expect(mutants == 204)
    #expect(failures > 102)  // most damage is caught by the decoder itself, not only by Adler-32
  }

  // MARK: Rules broken inside the fast path's region

  enum Token { case literal(UInt8), match([UInt8]) }

  /// A level-1 packet (long header) of `tokens`, 31 to a control word with the sentinel; the packet
  /// offset of each token.
  static func level1Packet(_ tokens: [Token], decompressed: Int) -> (packet: [UInt8], offsets: [Int]) {
    func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    var body: [UInt8] = [], offsets: [Int] = []
    for start in stride(from: 0, to: tokens.count, by: 31) {
      let group = tokens[start..<min(start + 31, tokens.count)]
      var word: UInt32 = 0x8000_0000
      for (k, token) in group.enumerated() { if case .match = token { word |= 1 << UInt32(k) } }
      body += le32(word)
      for token in group {
        offsets.append(9 + body.count)
        switch token {
        case .literal(let b): body.append(b)
        case .match(let bytes): body += bytes
        }
      }
    }
    return ([0x47] + le32(UInt32(9 + body.count)) + le32(UInt32(decompressed)) + body, offsets)
  }

  /// 1 000 literals `A` (so only slot 0x555 is set), one match token, then literals to 4 000 bytes.
  static func packetWithMatch(_ token: [UInt8]) -> (packet: [UInt8], tokenOffset: Int) {
    let tokens = [Token](repeating: .literal(0x41), count: 1000) + [.match(token)]
      + [Token](repeating: .literal(0x42), count: 2990)
    let (packet, offsets) = level1Packet(tokens, decompressed: 4000)
    return (packet, offsets[1000])
  }

  @Test func longMatchShorterThanThreeInTheFastRegion() {
    // Slot 0x555, length nibble 0, length byte 2: the careful loop's finding, not a 2-byte copy.
    let (packet, at) = Self.packetWithMatch([0x50, 0x55, 0x02])
    #expect(Self.decode(packet, max: 65536, fast: true)
            == .failure(.badMatchLength(offset: at, position: 1000, length: 2, decompressedLength: 4000)))
    #expect(Self.decode(packet, max: 65536, fast: false) == Self.decode(packet, max: 65536, fast: true))
  }

  @Test func unsetSlotInTheFastRegion() {
    let (packet, at) = Self.packetWithMatch([0x31, 0x12])  // slot 0x123, length 3
    #expect(Self.decode(packet, max: 65536, fast: true) == .failure(.unsetHashSlot(offset: at, slot: 0x123)))
    #expect(Self.decode(packet, max: 65536, fast: false) == Self.decode(packet, max: 65536, fast: true))
  }

  @Test func validMatchesInTheFastRegion() throws {
    // Slot 0x555 holds position 997 (the last registered `AAA`): 3 + 14 and a long 200-byte match.
    for (token, length) in [([UInt8]([0x5F, 0x55]), 17), ([0x50, 0x55, 200], 200)] {
      let tokens = [Token](repeating: .literal(0x41), count: 1000) + [.match(token)]
        + [Token](repeating: .literal(0x42), count: 3000 - length)
      let (packet, _) = Self.level1Packet(tokens, decompressed: 4000)
      let out = try Self.decode(packet, max: 65536, fast: true).get()
      #expect(out == [UInt8](repeating: 0x41, count: 1000 + length) + [UInt8](repeating: 0x42, count: 3000 - length))
      #expect(Self.decode(packet, max: 65536, fast: false) == .success(out))
    }
  }
}
