import Testing
import Formats
import Inspect
import TestSupport

/// The qpress layer on the real corpus (members.tsv digests, bad_qp_* findings) and on built archives
/// for each rule Q1–Q11, in both roles: the whole input (container) and an xbstream member (transform).
@Suite struct QpressTests {
  static let validSamples = [
    "qp_small_backup-my.cnf_L1.qp", "qp_empty_file.qp", "qp_ibdata1_9MiB_L1.qp", "qp_ibdata1_9MiB_L2.qp",
    "qp_ibdata1_9MiB_L3.qp", "qp_dir_tinyshop_recursive.qp", "qp_random_200KiB_incompressible.qp",
    "mb1011_tiny_full_compress_qp.xb", "mb1011_tiny_incremental_partial_compress_qp.xb",
    "mb1011_tiny_incremental_partial_xb.qp",
  ]

  // MARK: Real corpus

  @Test(arguments: validSamples)
  func realSampleVerifiesWithOracleDigests(_ file: String) throws {
    let report = try Run.verifyReal(file)
    #expect(report.verdict == .verified, "\(report.findings.map(\.message))")
    #expect(report.findings.isEmpty, "\(report.findings.map(\.message))")
    let expected = Set(Corpus.members(of: file))
    #expect(!expected.isEmpty)
    #expect(report.digests == expected)
  }

  @Test func recursiveArchiveNamesMembersByDirectory() throws {
    let report = try Run.verifyReal("qp_dir_tinyshop_recursive.qp")
    #expect(report.layers == ["qpress L1"])
    #expect(report.members.map(\.path).sorted().first == "tinyshop/customers.frm")
    let ibd = try #require(report.members.first { $0.path == "tinyshop/customers.ibd" })
    #expect(ibd.size == 143_360 && ibd.chunks == 3)
  }

  @Test func xbstreamInsideQpressIsPeeledInOnePass() throws {
    let report = try Run.verifyReal("mb1011_tiny_incremental_partial_xb.qp")
    #expect(report.members.count == 24)
    #expect(report.facts["xbstream.dialect"] != nil)
  }

  @Test func qpMembersOfAStreamAreTransformedWithAProof() throws {
    let report = try Run.verifyReal("mb1011_tiny_incremental_partial_compress_qp.xb")
    let m = try #require(report.members.first { $0.path == "backup-my.cnf" })
    #expect(m.storedAs == "backup-my.cnf.qp")
    #expect(m.layers.contains("qpress L1"))
    #expect(m.proofs.contains("qpress Adler-32"))
    #expect(m.facts["qpress.chunkSize"] != nil)
  }

  @Test(arguments: [1, 7])
  func dripFeedGivesTheSameResult(step: Int) throws {
    for file in ["qp_dir_tinyshop_recursive.qp", "mb1011_tiny_incremental_partial_xb.qp", "bad_qp_truncated.qp"] {
      let whole = try Run.verifyReal(file)
      let drip = try Run.verifyReal(file, step: step)
      #expect(drip.digests == whole.digests, "\(file)")
      #expect(drip.findings.map(\.code) == whole.findings.map(\.code), "\(file)")
      #expect(drip.findings.map(\.offset) == whole.findings.map(\.offset), "\(file)")
    }
  }

  @Test func bitflipIsAnAdlerMismatchAtTheBlockMarker() throws {
    let report = try Run.verifyReal("bad_qp_bitflip.qp")
    #expect(report.verdict == .failed)
    #expect(report.findings.map(\.code) == ["qpress.adler_mismatch"])
    let f = report.findings[0]
    #expect(f.offset == 71_857 && f.severity == .error)
    #expect(f.member == "tinyshop/docs_compressed.frm")
    #expect(f.expected == "0x0e7c30c3")
  }

  @Test func truncationPointsAtTheCutBlock() throws {
    let report = try Run.verifyReal("bad_qp_truncated.qp")
    #expect(report.verdict == .failed)
    #expect(report.findings.map(\.code) == ["qpress.truncated"])
    #expect(report.findings[0].offset == 101_397)
    #expect(report.findings[0].member == "ibdata1")
  }

  // MARK: Hostile archives (errors, never traps or huge allocations)

  @Test func chunkSize2To60() {
    var b = QpressBuilder(chunkSize: 1 << 60)
    b.storedFile("f", [1, 2, 3])
    let report = Run.verify(b.bytes)
    #expect(report.findings.map(\.code) == ["qpress.bad_chunk_size"])
    #expect(report.findings[0].offset == 8)
  }

  @Test func packetLengthFFFFFFFF() {
    var b = QpressBuilder()
    b.file("f")
    b.raw(Array("NEWBNEWB".utf8) + Array(repeating: 0, count: 12) + [0x47, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x00])
    let report = Run.verify(b.bytes)
    #expect(report.findings.map(\.code) == ["qpress.bad_packet_length"])
    #expect(report.findings[0].offset == 23)
  }

  @Test func decompressedLengthOverTheChunkSize() {
    var b = QpressBuilder(chunkSize: 1024)
    b.file("f")
    b.block(stored: Array(repeating: 7, count: 1000))
    b.block(packet: hexPacket(flags: 0x47, packetLength: 13, decompressed: 0xFFFF_FFFF) + [0, 0, 0, 0x80])
    b.trailer()
    let report = Run.verify(b.bytes)
    #expect(report.findings.map(\.code) == ["qpress.bad_block_size"])
    #expect(report.findings[0].offset == 1052)
  }

  @Test func matchBeforeTheStartIsACorruptPacket() {
    var b = QpressBuilder()
    b.file("f")
    b.block(packet: [0x4D, 0x18, 0x28, 0x01, 0x00, 0x00, 0x80, 0x3C] + Array(repeating: 0x41, count: 16))
    b.trailer()
    let report = Run.verify(b.bytes)
    #expect(report.findings.map(\.code) == ["qpress.corrupt_packet"])
    #expect(report.findings[0].offset == 23)
  }

  @Test func everyTruncationOfASmallArchiveIsAFindingNotATrap() {
    var b = QpressBuilder()
    b.directory("d"); b.storedFile("f", Array(0..<200)); b.up()
    for cut in 17..<b.bytes.count {  // a cut right after the header is an empty archive (a warning)
      let report = Run.verify(Array(b.bytes[..<cut]))
      #expect(report.verdict == .failed, "cut at \(cut)")
    }
    #expect(Run.verify(b.bytes).verdict == .verified)
  }

  // MARK: Names and structure (Q2–Q5, Q11)

  @Test func unsafeNamesAreErrors() {
    var b = QpressBuilder()
    var offsets: [Int64] = []
    offsets.append(Int64(b.offset)); b.directory("..")
    offsets.append(Int64(b.offset)); b.storedFile("a/b", [1]); b.up()
    offsets.append(Int64(b.offset)); b.storedFile("", [2])
    offsets.append(Int64(b.offset)); b.storedFile("x\0y", [3])
    let report = Run.verify(b.bytes)
    #expect(report.findings.map(\.code) == ["qpress.unsafe_name", "qpress.unsafe_name", "qpress.empty_name", "qpress.unsafe_name"])
    #expect(report.findings.map(\.offset) == offsets)
  }

  @Test func markersTrailerValueRecoveryAndTerminator() {
    var b = QpressBuilder()
    b.item(UInt8(ascii: "F"), Array("f".utf8), terminator: 0x20)
    b.block(packet: QpressBuilder.storedPacket([1, 2, 3]), marker: "NEWBNEWX")
    b.block(packet: QpressBuilder.storedPacket([4]), recovery: 99)
    b.trailer(value: 7)
    b.up()
    let report = Run.verify(b.bytes)
    #expect(report.findings.map(\.code) == ["qpress.name_not_terminated", "qpress.bad_marker", "qpress.recovery_mismatch",
                                            "qpress.trailer_value", "qpress.unmatched_directory_up"])
    #expect(report.findings.map(\.severity) == [.warning, .error, .warning, .warning, .warning])
  }

  @Test func fileWithoutTrailer() {
    var b = QpressBuilder()
    b.file("f"); b.block(stored: [1, 2, 3])
    let report = Run.verify(b.bytes)
    #expect(report.findings.map(\.code) == ["qpress.missing_trailer"])
    #expect(report.findings[0].offset == 49)
  }

  // MARK: Transform role: `.qp` members of an xbstream (Q2, Q6, Q9, Q10)

  static func stream(_ members: [(String, [UInt8])]) -> [UInt8] {
    var s = StreamBuilder()
    for (path, bytes) in members { s.file(path, bytes) }
    return s.bytes
  }

  static func archive(_ name: String, _ data: [UInt8], chunkSize: UInt64 = 65536, level: Int = 1) -> [UInt8] {
    var b = QpressBuilder(chunkSize: chunkSize)
    b.storedFile(name, data, chunk: Int(chunkSize), level: level)
    return b.bytes
  }

  @Test func memberIsPeeledWithItsSuffix() throws {
    let data = Array(repeating: UInt8(0x5A), count: 5000)
    let report = Run.verify(Self.stream([("db/t1.dat.qp", Self.archive("t1.dat", data, chunkSize: 2048))]))
    #expect(report.findings.isEmpty, "\(report.findings.map(\.message))")
    let m = try #require(report.members.first)
    #expect(m.path == "db/t1.dat" && m.storedAs == "db/t1.dat.qp")
    #expect(m.layers == ["qpress L1", "plain"])
    #expect(m.size == 5000 && m.sha256 == SHA256.hash(data).hexString)
    #expect(m.proofs == ["qpress Adler-32"])
  }

  @Test func emptyMemberIsPeeledToo() throws {
    let report = Run.verify(Self.stream([("e.dat.qp", Self.archive("e.dat", []))]))
    #expect(report.findings.isEmpty)
    let m = try #require(report.members.first)
    #expect(m.path == "e.dat" && m.size == 0)
  }

  @Test func adlerMismatchBehindAValidStreamCRCIsLocatedAtTheChunk() throws {
    var b = QpressBuilder()
    // Over 512 bytes, so the member's sniffer decides while the payload chunk is delivered.
    b.file("x"); b.block(packet: QpressBuilder.storedPacket(Array(repeating: 1, count: 600)), adler: 1); b.trailer()
    let report = Run.verify(Self.stream([("x.qp", b.bytes)]))
    let f = try #require(report.findings.first)
    #expect(f.code == "qpress.adler_mismatch")
    #expect(f.offset == 0 && f.layerOffset == 23)
    #expect(f.member == "x.qp")
  }

  @Test func levelOtherThan1InAMemberIsAnError() {
    let report = Run.verify(Self.stream([("t.ibd.qp", Self.archive("t.ibd", [1, 2, 3], level: 2))]))
    #expect(report.findings.map(\.code) == ["qpress.level_unsupported"])
    #expect(report.members.first?.layers.first == "qpress L2")
  }

  @Test func secondEntryAndTrailingBytesAreErrors() {
    var two = QpressBuilder()
    two.storedFile("a", [1]); two.storedFile("b", [2])
    var tail = QpressBuilder()
    tail.storedFile("c", [3]); tail.raw([0, 0, 0])
    let report = Run.verify(Self.stream([("a.qp", two.bytes), ("c.qp", tail.bytes)]))
    #expect(report.findings.map(\.code) == ["qpress.extra_entry", "qpress.trailing_bytes"])
    #expect(report.members.first { $0.path == "a" }?.size == 1)
  }

  @Test func entryNameMismatchIsAWarning() {
    let report = Run.verify(Self.stream([("t1.ibd.qp", Self.archive("other", [1]))]))
    #expect(report.findings.map(\.code) == ["qpress.name_mismatch"])
    #expect(report.findings[0].severity == .warning)
  }

  @Test func chunkSizesDifferingBetweenMembers() {
    let report = Run.verify(Self.stream([("a.qp", Self.archive("a", [1], chunkSize: 65536)),
                                         ("b.qp", Self.archive("b", [2], chunkSize: 16384))]))
    #expect(report.findings.map(\.code) == ["qpress.chunk_size_differs"])
    #expect(report.findings[0].member == "b.qp")
  }

  @Test func directoryInAMemberIsAnErrorButStillRead() {
    var b = QpressBuilder()
    b.directory("d"); b.storedFile("f", [1, 2]); b.up()
    let report = Run.verify(Self.stream([("t.qp", b.bytes)]))
    #expect(report.findings.map(\.code) == ["qpress.unexpected_item"])
    #expect(report.members.contains { $0.path == "d/f" && $0.size == 2 })
  }
}

/// A long QuickLZ header with the given fields.
func hexPacket(flags: UInt8, packetLength: UInt32, decompressed: UInt32) -> [UInt8] {
  [flags] + withUnsafeBytes(of: packetLength.littleEndian, Array.init) + withUnsafeBytes(of: decompressed.littleEndian, Array.init)
}

/// A block larger than this reader holds but within the archive's own chunk size is "could not
/// evaluate", not corruption; the memory held per archive stays under the cap.
@Suite struct QpressBufferCapTests {
  @Test func blockOverTheBufferCapIsNotEvaluatedRatherThanCorrupt() throws {
    let size = Int(QpressLimits.maxBufferedChunkSize) + 1
    var q = QpressBuilder(chunkSize: UInt64(size))
    q.file("big.bin")
    q.block(packet: QpressBuilder.storedPacket(Array(repeating: 0x41, count: size)))
    q.trailer()
    let r = Run.verify(q.bytes, name: "big.qp")
    #expect(r.codes.contains("limit.qpress_block"))
    #expect(!r.codes.contains("qpress.bad_block_size"))
    #expect(r.verdict == .incomplete)
  }
}
