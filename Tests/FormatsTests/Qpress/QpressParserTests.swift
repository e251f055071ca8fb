import Testing
import Foundation
import Formats
import TestSupport

/// Records what the qpress parser reports, decoding every block.
final class QpressRecorder: QpressParserDelegate {
  var header: QpressArchiveHeader?
  var events: [String] = []
  var blocks: [QpressBlockHeader] = []
  var trailers: [QpressFileTrailer] = []
  /// Decompressed bytes per file path (hashed, so 9 MiB files stay small).
  var digests: [String: (size: UInt64, sha256: String)] = [:]
  private var current: String?
  private var hash: SHA256?
  private var size: UInt64 = 0
  private var decoder = QuickLZDecoder()
  private var out: [UInt8] = []
  var decodeErrors: [QuickLZError] = []

  func qpressArchiveHeader(_ header: QpressArchiveHeader) { self.header = header }
  func qpressDirectory(_ item: QpressItem, directories: [[UInt8]], isUnmatched: Bool) {
    events.append("\(item.kind == .enterDirectory ? "D" : "U") \(String(decoding: item.name, as: UTF8.self))\(isUnmatched ? " unmatched" : "")")
  }
  func qpressFileStart(_ item: QpressItem, directories: [[UInt8]]) {
    let path = (directories + [item.name]).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
    events.append("F \(path)")
    current = path; hash = SHA256(); size = 0
  }
  func qpressBlock(_ block: QpressBlockHeader, packet: UnsafeRawBufferPointer) {
    blocks.append(block)
    do {
      let h = try decoder.decompress(packet, maxDecompressedLength: Int(header!.chunkSize), into: &out)
      out.withUnsafeBytes { hash?.update(UnsafeRawBufferPointer(rebasing: $0[..<Int(h.decompressedLength)])) }
      size += UInt64(h.decompressedLength)
    } catch { decodeErrors.append(error) }
  }
  func qpressFileEnd(_ trailer: QpressFileTrailer) {
    trailers.append(trailer)
    if let current, let hash { digests[current] = (size, hash.finalize().hexString) }
    events.append("E")
    current = nil
  }
}

func qpressParse(_ bytes: [UInt8], step: Int = .max) throws(QpressError) -> QpressRecorder {
  let r = QpressRecorder()
  var p = QpressParser()
  var i = 0
  while i < bytes.count {
    let n = min(step, bytes.count - i)
    let result = bytes.withUnsafeBytes { b in
      Result { () throws(QpressError) in try p.feed(UnsafeRawBufferPointer(rebasing: b[i..<(i + n)]), to: r) }
    }
    try result.get()
    i += n
  }
  try p.finish(r)
  return r
}

@Suite struct QpressParserTests {
  /// §3.6: `c.txt` = `hello`.
  static let example = hexBytes("""
    71 70 72 65 73 73 31 30 00 00 01 00 00 00 00 00
    46 05 00 00 00 63 2e 74 78 74 00
    4e 45 57 42 4e 45 57 42 00 00 00 00 00 00 00 00 eb 02 25 0d 45 0c 05 00 00 00 80 68 65 6c 6c 6f
    45 4e 44 53 45 4e 44 53 00 00 00 00 00 00 00 00
    """)

  @Test(arguments: [Int.max, 1, 7])
  func workedExample(step: Int) throws {
    let r = try qpressParse(Self.example, step: step)
    #expect(r.header == QpressArchiveHeader(chunkSize: 65536))
    #expect(r.events == ["F c.txt", "E"])
    #expect(r.blocks.count == 1)
    #expect(r.blocks[0].offset == 27 && r.blocks[0].adler == 0x0D25_02EB && r.blocks[0].computedAdler == 0x0D25_02EB)
    #expect(r.blocks[0].packet == QuickLZPacketHeader(flags: 0x45, packetLength: 12, decompressedLength: 5))
    #expect(r.trailers == [QpressFileTrailer(offset: 59)])
    #expect(r.digests["c.txt"]?.sha256 == SHA256.hash(Array("hello".utf8)).hexString)
  }

  @Test func directoriesNestAndUnmatchedUpIsReported() throws {
    var b = QpressBuilder()
    b.directory("a"); b.directory("b"); b.storedFile("x", [1, 2, 3]); b.up(); b.storedFile("y", [4]); b.up(); b.up()
    let r = try qpressParse(b.bytes)
    #expect(r.events == ["D a", "D b", "F a/b/x", "E", "U ", "F a/y", "E", "U ", "U  unmatched"])
  }

  @Test func chunkSizeOf2To60IsAnErrorAtOffset8() {
    let b = QpressBuilder(chunkSize: 1 << 60)
    #expect(throws: QpressError.badChunkSize(offset: 8, chunkSize: 1 << 60)) { try qpressParse(b.bytes) }
    #expect(throws: QpressError.badChunkSize(offset: 8, chunkSize: 0)) { try qpressParse(QpressBuilder(chunkSize: 0).bytes) }
  }

  @Test func badMagic() {
    #expect(throws: QpressError.badMagic(offset: 0, found: Array("qpress11".utf8))) {
      try qpressParse(QpressBuilder(magic: "qpress11").bytes)
    }
  }

  @Test func packetLengthFFFFFFFFIsRejectedBeforeBuffering() {
    var b = QpressBuilder()
    b.file("f")
    let at = Int64(b.offset)
    b.raw(Array("NEWBNEWB".utf8) + Array(repeating: 0, count: 12) + [0x47, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x00])
    #expect(throws: QpressError.badPacketLength(offset: at, length: 0xFFFF_FFFF, minimum: 9, maximum: 65936)) { try qpressParse(b.bytes) }
  }

  @Test func packetShorterThanItsHeader() {
    var b = QpressBuilder()
    b.file("f")
    b.raw(Array("NEWBNEWB".utf8) + Array(repeating: 0, count: 12) + [0x45, 0x02, 0x05])
    #expect(throws: QpressError.badPacketLength(offset: 23, length: 2, minimum: 3, maximum: 65936)) { try qpressParse(b.bytes) }
  }

  @Test func blockOverTheBufferLimitIsNotRead() {
    var b = QpressBuilder(chunkSize: 256 << 20)
    b.file("f")
    b.raw(Array("NEWBNEWB".utf8) + Array(repeating: 0, count: 12) + [0x47, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08])
    #expect(throws: QpressError.blockOverLimit(offset: 23, length: 0x0800_0000)) { try qpressParse(b.bytes) }
  }

  @Test func truncationInsideABlockPointsAtItsMarker() {
    let cut = Array(Self.example[..<40])
    #expect(throws: QpressError.truncated(offset: 27, structure: "block", needed: 21, available: 13)) { try qpressParse(cut) }
    #expect(throws: QpressError.truncated(offset: 27, structure: "block", needed: 21, available: 13)) { try qpressParse(cut, step: 1) }
  }

  @Test func endBetweenBlocksIsAMissingTrailer() {
    let cut = Array(Self.example[..<59])
    #expect(throws: QpressError.missingTrailer(offset: 59, name: Array("c.txt".utf8))) { try qpressParse(cut) }
  }

  @Test func truncatedHeaderAndItem() {
    #expect(throws: QpressError.truncated(offset: 0, structure: "archive header", needed: 16, available: 12)) {
      try qpressParse(Array(Self.example[..<12]))
    }
    #expect(throws: QpressError.truncated(offset: 16, structure: "item header", needed: 11, available: 7)) {
      try qpressParse(Array(Self.example[..<23]))
    }
  }

  @Test func badItemTagAndBadMarker() {
    var b = QpressBuilder(); b.raw([0x58])
    #expect(throws: QpressError.badItemTag(offset: 16, tag: 0x58)) { try qpressParse(b.bytes) }
    var c = QpressBuilder(); c.file("f"); c.raw(Array("XEWBNEWB".utf8))
    #expect(throws: QpressError.badMarker(offset: 23, found: Array("XEWBNEWB".utf8))) { try qpressParse(c.bytes) }
  }

  @Test func inexactMarkersAreParsedAndFlagged() throws {
    var b = QpressBuilder(); b.file("f")
    b.block(packet: QpressBuilder.storedPacket([1, 2, 3]), marker: "NEWBXXXX"); b.trailer(value: 5, marker: "EXXXXXXX")
    let r = try qpressParse(b.bytes)
    #expect(r.blocks.map(\.isMarkerExact) == [false])
    #expect(r.trailers.map(\.isMarkerExact) == [false] && r.trailers.map(\.value) == [5])
  }

  @Test func nameLengthLimit() {
    var b = QpressBuilder(); b.raw([0x46, 0xFF, 0xFF, 0xFF, 0xFF])
    #expect(throws: QpressError.nameTooLong(offset: 16, length: 0xFFFF_FFFF)) { try qpressParse(b.bytes) }
  }

  @Test func errorsAreSticky() {
    var p = QpressParser()
    let r = QpressRecorder()
    let bad = Array("qpress99".utf8) + Array(repeating: 0, count: 8)
    let first = bad.withUnsafeBytes { b in Result { () throws(QpressError) in try p.feed(b, to: r) } }
    let second = Self.example.withUnsafeBytes { b in Result { () throws(QpressError) in try p.feed(b, to: r) } }
    #expect(throws: QpressError.badMagic(offset: 0, found: Array("qpress99".utf8))) { try first.get() }
    #expect(throws: QpressError.badMagic(offset: 0, found: Array("qpress99".utf8))) { try second.get() }
  }

  // MARK: Real samples (digests from members.tsv)

  @Test(arguments: ["qp_small_backup-my.cnf_L1.qp", "qp_empty_file.qp", "qp_ibdata1_9MiB_L1.qp", "qp_ibdata1_9MiB_L2.qp",
                    "qp_ibdata1_9MiB_L3.qp", "qp_dir_tinyshop_recursive.qp", "qp_random_200KiB_incompressible.qp"])
  func realSampleDecodesToTheOracleDigests(_ file: String) throws {
    let r = try qpressParse(try Corpus.bytes(Corpus.realFile(file)), step: 65_537)
    #expect(r.decodeErrors.isEmpty)
    #expect(r.blocks.allSatisfy { $0.adler == $0.computedAdler && $0.isMarkerExact })
    let expected = Corpus.members(of: file)
    #expect(!expected.isEmpty)
    for m in expected {
      #expect(r.digests[m.member]?.size == m.size, "\(m.member)")
      #expect(r.digests[m.member]?.sha256 == m.sha256, "\(m.member)")
    }
  }

  /// Blocks that lie whole in one piece are read in place, the others through the buffer: fed
  /// whole, in 64 KiB + 1 pieces or 7 bytes at a time, a real archive gives the same blocks, files
  /// and digests, and a damaged one the same error.
  @Test func blocksReadInPlaceOrThroughTheBufferAgree() throws {
    let bytes = try Corpus.bytes(Corpus.realFile("qp_dir_tinyshop_recursive.qp"))
    let whole = try qpressParse(bytes)
    #expect(whole.blocks.count == 18)
    for step in [65_537, 7] {
      let pieces = try qpressParse(bytes, step: step)
      #expect(pieces.blocks == whole.blocks)
      #expect(pieces.events == whole.events)
      #expect(pieces.digests.mapValues { "\($0.size) \($0.sha256)" } == whole.digests.mapValues { "\($0.size) \($0.sha256)" })
    }
    // The second block's packet length (u32 at packet byte 1 of a 9-byte header) made huge.
    var damaged = bytes
    let second = Int(whole.blocks[1].offset)
    #expect(whole.blocks[1].packet.headerLength == 9)
    for k in 0..<4 { damaged[second + 20 + 1 + k] = 0xFF }
    let expected = QpressError.badPacketLength(offset: Int64(second), length: .max, minimum: 9,
                                               maximum: UInt64(whole.header!.chunkSize) + QpressLimits.packetSlack)
    #expect(throws: expected) { try qpressParse(damaged) }
    #expect(throws: expected) { try qpressParse(damaged, step: 7) }
  }

  @Test func levelsOfTheRealSamples() throws {
    for (file, flags) in [("qp_ibdata1_9MiB_L1.qp", 1), ("qp_ibdata1_9MiB_L2.qp", 2), ("qp_ibdata1_9MiB_L3.qp", 3)] {
      let r = try qpressParse(try Corpus.bytes(Corpus.realFile(file)))
      #expect(Set(r.blocks.map(\.packet.level)) == [flags])
      #expect(r.blocks.count == 144)
    }
  }
}
