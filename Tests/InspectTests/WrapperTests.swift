import Foundation
import Testing
import Formats
import Inspect
import TestSupport

/// The gzip, zstd, lz4 and tar layers end to end: real samples against their oracles, damaged copies
/// against precise findings, and the same results whole or drip-fed.
@Suite struct WrapperTests {
  static let own = Corpus.own.appendingPathComponent("wrappers")

  static func ownBytes(_ name: String) throws -> [UInt8] { try Corpus.bytes(own.appendingPathComponent(name)) }

  /// corpus/wrappers/members.tsv rows for `file`.
  static func ownMembers(_ file: String) -> Set<String> {
    guard let text = try? String(contentsOf: own.appendingPathComponent("members.tsv"), encoding: .utf8) else { return [] }
    var out = Set<String>()
    for line in text.split(separator: "\n").dropFirst() {
      let c: [String] = line.split(separator: "\t").map(String.init)
      guard c.count == 4, c[0] == file else { continue }
      out.insert(c[1...].joined(separator: "\t"))
    }
    return out
  }

  static let ownSamples = ["gnu_long_names.tar", "pax_long_names.tar", "concatenated.tar", "gnu_long_names.tar.gz",
                           "multi_member.gz", "named.txt.gz", "numbers.txt.zst", "hello_nocheck.txt.zst", "two_frames.zst",
                           "empty.zst", "numbers.txt.lz4", "hello.txt.lz4", "random_B4.bin.lz4", "empty.lz4"]

  // MARK: Real corpus

  @Test(arguments: ["mb1011_tiny_full.xb.gz", "mb1011_tiny_full_dir.tar.gz"])
  func realWrappedBackupMatchesOracle(_ file: String) throws {
    let report = try Run.verifyReal(file)
    #expect(report.verdict == .verified, "\(report.findings.map(\.summaryLine))")
    #expect(report.findings.isEmpty)
    #expect(report.digests == Set(Corpus.members(of: file)))
    #expect(report.members.count == 211)
  }

  @Test(arguments: [1, 7])
  func realTarGzDripFedEqualsWhole(step: Int) throws {
    let file = "mb1011_tiny_full_dir.tar.gz"
    let whole = try Run.verifyReal(file)
    let drip = try Run.verifyReal(file, step: step)
    #expect(drip.digests == whole.digests)
    #expect(drip.codes == whole.codes)
  }

  @Test(arguments: [1, 7])
  func realXbGzDripFedEqualsWhole(step: Int) throws {
    let file = "mb1011_tiny_full.xb.gz"
    let drip = try Run.verifyReal(file, step: step)
    #expect(drip.digests == Set(Corpus.members(of: file)))
    #expect(drip.findings.isEmpty)
  }

  // MARK: Own samples

  @Test(arguments: ownSamples)
  func ownSampleMatchesRealTools(_ file: String) throws {
    let bytes = try Self.ownBytes(file)
    for step in [Int.max, 1, 7] {
      let report = Run.verify(bytes, name: file, step: step)
      #expect(report.verdict == .verified, "\(file) step \(step): \(report.findings.map(\.summaryLine))")
      #expect(Set(report.digests.map { "\($0.member)\t\($0.size)\t\($0.sha256)" }) == Self.ownMembers(file), "\(file) step \(step)")
    }
  }

  @Test func concatenatedTarIsReadLikeTarDashI() throws {
    let report = Run.verify(try Self.ownBytes("concatenated.tar"), name: "concatenated.tar")
    let f = try #require(report.findings("tar.concatenated_archives").first)
    #expect(f.severity == .warning)
    #expect(f.offset == 10240)
    #expect(report.members.count == 3)
  }

  @Test func optionsOtherThanXtrabackupsAreWarnings() throws {
    let zst = Run.verify(try Self.ownBytes("two_frames.zst"), name: "two_frames.zst")
    #expect(zst.findings("zstd.no_checksum").first?.offset == 5143)
    let lz4 = Run.verify(try Self.ownBytes("numbers.txt.lz4"), name: "numbers.txt.lz4")
    #expect(lz4.findings("lz4.unexpected_options").first?.found == "FLG 0x64")
    let xtrabackupShape = Run.verify(try Self.ownBytes("random_B4.bin.lz4"), name: "random_B4.bin.lz4")
    #expect(xtrabackupShape.findings.isEmpty)
  }

  // MARK: gzip damage

  @Test func gzipTrailerCRCAndSizeMismatches() throws {
    var bytes = try Self.ownBytes("multi_member.gz")
    // Second member starts at 33 (13 header... see members): find it by its magic.
    let second = try #require((1..<bytes.count - 1).first { bytes[$0] == 0x1F && bytes[$0 + 1] == 0x8B })
    bytes[second - 8] ^= 0x01      // CRC-32 of the first member
    bytes[bytes.count - 4] ^= 0x01  // ISIZE of the second
    let report = Run.verify(bytes, name: "m.gz")
    #expect(report.verdict == .failed)
    #expect(report.findings("gzip.crc_mismatch").map(\.offset) == [0])
    #expect(report.findings("gzip.size_mismatch").map(\.offset) == [Int64(second)])
  }

  @Test(arguments: [4, 12, 400, 20_000, 34_591])
  func gzipTruncationIsFound(at length: Int) throws {
    let bytes = Array(try Self.ownBytes("gnu_long_names.tar.gz").prefix(length))
    for step in [Int.max, 1, 7] {
      let report = Run.verify(bytes, name: "cut.tar.gz", step: step)
      #expect(report.verdict == .failed)
      let f = try #require(report.findings("gzip.truncated").first, "cut at \(length)")
      #expect(f.offset == 0)
    }
  }

  @Test func gzipTrailingBytes() throws {
    let bytes = try Self.ownBytes("named.txt.gz")
    let junk = Run.verify(bytes + Array("log line\n".utf8), name: "x.gz")
    let f = try #require(junk.findings("gzip.trailing_garbage").first)
    #expect(f.severity == .error)
    #expect(f.offset == Int64(bytes.count))
    let zeros = Run.verify(bytes + [UInt8](repeating: 0, count: 100), name: "x.gz")
    #expect(zeros.findings("gzip.trailing_garbage").first?.severity == .warning)
    #expect(zeros.verdict == .verified)
  }

  @Test func gzipCorruptDeflateData() throws {
    var bytes = try Self.ownBytes("named.txt.gz")
    for i in 40..<60 { bytes[i] = 0xFF }
    let report = Run.verify(bytes, name: "x.gz")
    #expect(report.verdict == .failed)
    #expect(report.findings.contains { ($0.code == "gzip.corrupt" || $0.code == "gzip.crc_mismatch") && $0.offset == 0 })
  }

  // MARK: zstd damage

  @Test func zstdHostileWindowIsAFindingNotAnAllocation() {
    // Window descriptor 0xA8: exponent 21 → 2^31 = 2 GiB window.
    let frame: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0xA8] + [UInt8](repeating: 0x41, count: 64)
    let report = Run.verify(frame, name: "w.zst")
    let f = report.findings("zstd.window_too_large").first
    #expect(f?.offset == 0)
    #expect(f?.found == "\(UInt64(1) << 31)")
    // Single segment: the window is the content size (2^40 here).
    let single: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xE0, 0, 0, 0, 0, 0, 1, 0, 0] + [UInt8](repeating: 0, count: 16)
    #expect(Run.verify(single, name: "s.zst").findings("zstd.window_too_large").first?.found == "\(UInt64(1) << 40)")
  }

  @Test func zstdTruncationChecksumAndTrailingBytes() throws {
    let bytes = try Self.ownBytes("two_frames.zst")
    let cut = Run.verify(Array(bytes.prefix(3000)), name: "c.zst")
    #expect(cut.findings("zstd.truncated").first?.offset == 0)
    let cutSecond = Run.verify(Array(bytes.prefix(5150)), name: "c.zst", step: 7)
    #expect(cutSecond.findings("zstd.truncated").first?.offset == 5143)
    var flipped = try Self.ownBytes("numbers.txt.zst")
    flipped[flipped.count - 1] ^= 0x80  // the XXH64 checksum
    #expect(Run.verify(flipped, name: "f.zst").findings("zstd.checksum_mismatch").first?.offset == 0)
    let garbage = Run.verify(bytes + Array("trailing".utf8), name: "g.zst")
    #expect(garbage.findings("zstd.trailing_garbage").first?.offset == Int64(bytes.count))
  }

  // MARK: lz4 damage

  /// The spec §5.1 example frame for "hello\n" (xtrabackup's shape).
  static let helloFrame: [UInt8] = [0x04, 0x22, 0x4d, 0x18, 0x6c, 0x40, 0x06, 0, 0, 0, 0, 0, 0, 0, 0x89,
                                    0x07, 0, 0, 0, 0x60, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0, 0, 0, 0,
                                    0xf9, 0x5b, 0x6b, 0x94]

  @Test func lz4SpecExampleFrameVerifies() {
    let report = Run.verify(Self.helloFrame + Self.helloFrame, name: "h.lz4", step: 1)
    #expect(report.findings.isEmpty)
    #expect(report.members.first?.size == 12)
  }

  @Test func lz4HeaderAndContentDamage() {
    var hc = Self.helloFrame; hc[14] ^= 1
    #expect(Run.verify(hc, name: "h.lz4").findings("lz4.header_checksum_mismatch").first?.offset == 0)
    var content = Self.helloFrame; content[33] ^= 1
    #expect(Run.verify(Self.helloFrame + content, name: "h.lz4").findings("lz4.content_checksum_mismatch").first?.offset == 34)
    var size = Self.helloFrame; size[6] = 7
    #expect(Run.verify(size, name: "h.lz4").codes.contains { $0 == "lz4.content_size_mismatch" || $0 == "lz4.header_checksum_mismatch" })
    var version = Self.helloFrame; version[4] = 0xAC
    #expect(Run.verify(version, name: "h.lz4").findings("lz4.bad_header").first?.expected == "01")
    var code = Self.helloFrame; code[5] = 0x30
    #expect(Run.verify(code, name: "h.lz4").findings("lz4.bad_header").first?.found == "3")
    #expect(Run.verify(Array(Self.helloFrame.prefix(20)), name: "h.lz4").findings("lz4.truncated").first?.offset == 0)
  }

  @Test func lz4BlockOverTheMaximumIsZ2() {
    // A stored block of 65 794 bytes in a frame whose block maximum is 64 KiB (BD 0x40).
    let size = 65_794
    var frame = Array(Self.helloFrame.prefix(15))
    frame += withUnsafeBytes(of: (UInt32(size) | 0x8000_0000).littleEndian, Array.init)
    frame += [UInt8](repeating: 0x55, count: size) + [0, 0, 0, 0, 0, 0, 0, 0]
    for step in [Int.max, 7] {
      let report = Run.verify(frame, name: "big.lz4", step: step)
      #expect(report.verdict == .failed)
      let f = report.findings("lz4.block_over_max").first
      #expect(f?.offset == 15)
      #expect(f?.found == "65794")
    }
  }

  // MARK: tar damage

  @Test func tarUnsafeNamesAndTypes() {
    let archive = TarBuilder.entry("../evil", data: Array("x".utf8)) + TarBuilder.entry("/abs", data: [])
      + TarBuilder.entry("ok/dir/", type: UInt8(ascii: "5")) + TarBuilder.end
    let report = Run.verify(archive, name: "u.tar")
    #expect(report.findings("tar.unsafe_path").map(\.offset) == [0, 1024])
    #expect(report.members.count == 2)
  }

  @Test func tarChecksumTruncationAndEnd() {
    var bad = TarBuilder.entry("a", data: Array("abc".utf8)) + TarBuilder.end
    bad[0] = UInt8(ascii: "b")
    #expect(Run.verify(bad, name: "b.tar").findings("tar.bad_checksum").first?.offset == 0)

    let two = TarBuilder.entry("a", data: [UInt8](repeating: 1, count: 600)) + TarBuilder.entry("b", data: [2])
    let cut = Run.verify(Array(two.prefix(900)), name: "c.tar")
    let f = cut.findings("tar.truncated").first
    #expect(f?.offset == 0)
    #expect(f?.member == "a")

    let noEnd = Run.verify(two, name: "n.tar")
    #expect(noEnd.findings("tar.missing_end_of_archive").first?.offset == Int64(two.count))

    let lone = Run.verify(two + [UInt8](repeating: 0, count: 512), name: "l.tar")
    #expect(lone.findings("tar.lone_zero_block").first?.offset == Int64(two.count))

    let garbage = Run.verify(two + TarBuilder.end + [UInt8](repeating: 0x41, count: 700), name: "g.tar")
    #expect(garbage.findings("tar.trailing_garbage").first?.offset == Int64(two.count + 1024))
  }

  @Test func tarBase256SizeAndSignedChecksum() {
    var header = TarBuilder.header("big", size: 3)
    // GNU base-256 size: 0x80 then big-endian 3.
    for i in 124..<136 { header[i] = 0 }
    header[124] = 0x80; header[135] = 3
    TarBuilder.sign(&header)
    let archive = header + TarBuilder.pad(Array("xyz".utf8)) + TarBuilder.end
    let report = Run.verify(archive, name: "b.tar")
    #expect(report.findings.isEmpty)
    #expect(report.members.first?.size == 3)
  }
}

/// Builds small ustar archives for tests.
enum TarBuilder {
  static let end = [UInt8](repeating: 0, count: 1024)

  static func header(_ name: String, size: Int, type: UInt8 = UInt8(ascii: "0")) -> [UInt8] {
    var h = [UInt8](repeating: 0, count: 512)
    h.replaceSubrange(0..<name.utf8.count, with: Array(name.utf8))
    func octal(_ v: Int, _ at: Int, _ width: Int) {
      let s = String(v, radix: 8)
      let t = String(repeating: "0", count: width - 1 - s.count) + s
      h.replaceSubrange(at..<(at + width - 1), with: Array(t.utf8))
    }
    octal(0o644, 100, 8); octal(0, 108, 8); octal(0, 116, 8); octal(size, 124, 12); octal(0, 136, 12)
    h[156] = type
    h.replaceSubrange(257..<265, with: Array("ustar\u{0}00".utf8))
    sign(&h)
    return h
  }

  static func sign(_ h: inout [UInt8]) {
    for i in 148..<156 { h[i] = UInt8(ascii: " ") }
    let sum = h.reduce(0) { $0 + Int($1) }
    let s = String(sum, radix: 8)
    h.replaceSubrange(148..<155, with: Array((String(repeating: "0", count: 6 - s.count) + s + "\u{0}").utf8))
  }

  static func pad(_ data: [UInt8]) -> [UInt8] {
    data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
  }

  static func entry(_ name: String, data: [UInt8] = [], type: UInt8 = UInt8(ascii: "0")) -> [UInt8] {
    header(name, size: data.count, type: type) + pad(data)
  }
}
