import Foundation
import Testing
import Formats
import Inspect
import FuzzKit
import TestSupport

/// Deterministic corruption sweep over the real samples under 200 KiB of xbcrypt, qpress, xbstream
/// with qp members, and gzip (CorruptionSweepTests covers the plain xbstream samples):
///
/// - every byte of every header field of every chunk / item / block / packet / member / trailer
///   (one bit flipped: `^ 0x01`);
/// - seeded random single-byte changes elsewhere (256 per sample);
/// - a truncation at every structure boundary (structure start, payload start, end) ±1.
///
/// Each change must give a finding (code@offset) the intact sample lacks: never a crash and never a
/// silent pass, unless the format cannot reveal it, which ``Blind`` lists with the reason.
/// Every change is verified whole; on the small samples (< 4 KiB) every change is also drip-fed
/// 7 bytes per read (the pipe path) and must give exactly the same findings; on the large ones the
/// first change of each fault class is.
///
/// Sampling (to keep the sweep under a minute in a debug build): the three samples whose verification
/// takes 50–250 ms in a debug build (many qpress blocks to decode) have a `budget`: each test then
/// tries that many changes, spread evenly over the full list of candidates (header bytes in file
/// order, boundary cuts) plus the first byte of every field name the spread missed, and that many
/// random changes instead of 256. The chosen positions depend only on the sample. Every other sample
/// is swept exhaustively.
@Suite struct FormatCorruptionSweepTests {
  /// Why a change may go unnoticed: no check of the format covers it.
  enum Blind: String {
    case cleanCut = "a cut between structures leaves a shorter valid file (xbcrypt and qpress have no end marker; gzip members stand alone)"
    case itemName = "qpress item names are covered by no checksum: a changed name is another file"
    case pathByte = "xbstream path bytes are covered by no checksum: a changed name is another member"
    case ignorableFlag = "the xbstream IGNORABLE flag has no effect on a known chunk type"
    case chunkSizeRaised = "a larger qpress chunk_size still bounds every block: only a smaller one is revealed"
    case ivIgnoredV2 = "XBCRYP02 decrypts with a zero counter whatever its IV says (CVE-2016-6225)"
    case gzipInformational = "gzip MTIME, XFL, OS and FTEXT are informational: nothing checks them"
    case gzipName = "the gzip FNAME bytes are covered by no checksum without FHCRC"
    case deflatePadding = "the unused high bits of the last deflate byte are padding"
    case sameContent = "the change re-encodes the same content (e.g. a deflate match into identical bytes): every member's digest is unchanged"
  }

  enum Kind { case xbcrypt, qpress, xbstream, gzip }

  struct Sample: CustomTestStringConvertible, Sendable {
    var file: String
    var kind: Kind
    var own = false
    /// Changes per test for the slow samples (see the suite's doc); nil: exhaustive.
    var budget: Int?
    var url: URL { own ? Corpus.own.appendingPathComponent("wrappers").appendingPathComponent(file) : Corpus.realFile(file) }
    var testDescription: String { file }
  }

  static let samples: [Sample] = [
    Sample(file: "xbc1_percona_testsuite_decrypt_v1_test_file.xbcrypt", kind: .xbcrypt),
    Sample(file: "xbc2_pxb23_aes256_chunk1024_backup-my.cnf.xbcrypt", kind: .xbcrypt),
    Sample(file: "xbc3_aes128_backup-my.cnf.xbcrypt", kind: .xbcrypt),
    Sample(file: "xbc3_aes256_chunk1024_xtrabackup_info.xbcrypt", kind: .xbcrypt),
    Sample(file: "xbc3_aes256_chunk64K_customers.ibd.xbcrypt", kind: .xbcrypt),
    Sample(file: "xbc2_pxb23_aes256_customers.ibd.xbcrypt", kind: .xbcrypt),
    Sample(file: "qp_empty_file.qp", kind: .qpress),
    Sample(file: "qp_small_backup-my.cnf_L1.qp", kind: .qpress),
    Sample(file: "qp_dir_tinyshop_recursive.qp", kind: .qpress, budget: 64),
    Sample(file: "mb1011_tiny_incremental_partial_xb.qp", kind: .qpress, budget: 48),
    Sample(file: "mb1011_tiny_incremental_partial_compress_qp.xb", kind: .xbstream, budget: 32),
    Sample(file: "multi_member.gz", kind: .gzip, own: true),
    Sample(file: "named.txt.gz", kind: .gzip, own: true),
    Sample(file: "gnu_long_names.tar.gz", kind: .gzip, own: true),
  ]

  // MARK: Layout

  /// One header field: its bytes, and when a change of it may pass unseen (given the mutated sample).
  struct Field {
    var name: String
    var range: Range<Int>
    var structure: String
    var blind: ([UInt8]) -> Blind? = { _ in nil }
  }

  struct Layout {
    var fields: [Field] = []
    /// Structure starts, payload starts and the end: truncation points.
    var boundaries: Set<Int> = []
    /// Cuts that leave a valid shorter file.
    var cleanCuts: Set<Int> = []
    /// Non-header bytes whose change may pass unseen.
    var blindBytes: [Int: Blind] = [:]
  }

  static func layout(_ bytes: [UInt8], _ kind: Kind) -> Layout {
    let r = Recorder()
    bytes.withUnsafeBytes { b in
      switch kind {
      case .xbcrypt: var p = XbcryptParser(); _ = Result { () throws(XbcryptError) in try p.feed(b, to: r); try p.finish(r) }
      case .qpress: var p = QpressParser(); _ = Result { () throws(QpressError) in try p.feed(b, to: r); try p.finish(r) }
      case .xbstream: var p = XbstreamParser(); _ = Result { () throws(XbstreamError) in try p.feed(b, to: r); try p.finish(r) }
      case .gzip: let d = GzipDecoder(); _ = Result { () throws(GzipError) in try d.feed(b, to: r); try d.finish() }
      }
    }
    var l = Layout()
    l.boundaries.insert(bytes.count)
    func field(_ s: String, _ name: String, _ start: Int, _ length: Int, blind: @escaping ([UInt8]) -> Blind? = { _ in nil }) {
      if length > 0 { l.fields.append(Field(name: name, range: start..<(start + length), structure: s, blind: blind)) }
    }
    var open: [String: Int] = [:]  // xbstream: members without their EOF chunk yet
    for e in r.events {
      switch e {
      case .xbcryptChunk(let h):
        let o = Int(h.offset), s = "xbcrypt chunk at \(o)"
        field(s, "magic", o, 8); field(s, "reserved", o + 8, 8); field(s, "original_size", o + 16, 8)
        field(s, "encrypted_size", o + 24, 8); field(s, "checksum", o + 32, 4)
        if h.version != .v1 {
          field(s, "iv_len", o + 36, 8)
          field(s, "iv", o + 44, Int(h.ivLength), blind: { _ in h.version == .v2 ? .ivIgnoredV2 : nil })
        }
        l.boundaries.formUnion([o, o + h.headerLength])
        if o > 0 { l.cleanCuts.insert(o) }
      case .qpressHeader:
        let original = bytes.count >= 16 ? le64(bytes, 8) : 0
        field("archive header", "magic", 0, 8)
        field("archive header", "chunk_size", 8, 8, blind: { m in
          let v = le64(m, 8)
          return v > original && v <= QpressLimits.writerMaxChunkSize ? .chunkSizeRaised : nil
        })
        l.boundaries.insert(16)
      case .qpressDirectory(let item, _, _), .qpressFile(let item, _):
        let o = Int(item.offset), s = "item at \(o)"
        field(s, "tag", o, 1)
        if item.kind != .leaveDirectory {
          field(s, "name_length", o + 1, 4)
          field(s, "name", o + 5, item.name.count, blind: { _ in .itemName })
          field(s, "NUL", o + 5 + item.name.count, 1)
        }
        l.boundaries.insert(o)
        if o > 16 { l.cleanCuts.insert(o) }
      case .qpressBlock(let b, _):
        let o = Int(b.offset), s = "block at \(o)"
        field(s, "marker", o, 8); field(s, "recovery", o + 8, 8); field(s, "adler", o + 16, 4)
        field(s, "packet header", o + 20, b.packet.headerLength)
        l.boundaries.formUnion([o, o + 20])
      case .qpressEnd(let t):
        let o = Int(t.offset), s = "trailer at \(o)"
        field(s, "marker", o, 8); field(s, "value", o + 8, 8)
        l.boundaries.formUnion([o, o + 16])
      case .xbstreamChunk(let h):
        let o = Int(h.offset), s = "chunk at \(o)", n = h.path.count
        let flags = bytes[o + 8]
        field(s, "magic", o, 8)
        field(s, "flags", o + 8, 1, blind: { m in m[o + 8] == flags | 0x01 ? .ignorableFlag : nil })
        field(s, "type", o + 9, 1); field(s, "path_length", o + 10, 4)
        field(s, "path", o + 14, n, blind: { _ in .pathByte })
        field(s, "tail (lengths, offset, checksum)", o + 14 + n, h.headerLength - 14 - n)
        l.boundaries.formUnion([o, o + h.headerLength])
        if o > 0, open.values.allSatisfy({ $0 == 0 }) { l.cleanCuts.insert(o) }
        let key = String(decoding: h.path, as: UTF8.self)
        if h.kind == .eof { open[key] = 0 } else { open[key, default: 0] += 1 }
      case .gzipMember(let h):
        let o = Int(h.offset), s = "gzip member at \(o)"
        let flg = bytes[o + 3]
        field(s, "ID1 ID2", o, 2); field(s, "CM", o + 2, 1)
        field(s, "FLG", o + 3, 1, blind: { m in m[o + 3] ^ flg == 0x01 ? .gzipInformational : nil })
        field(s, "MTIME", o + 4, 4, blind: { _ in .gzipInformational })
        field(s, "XFL", o + 8, 1, blind: { _ in .gzipInformational }); field(s, "OS", o + 9, 1, blind: { _ in .gzipInformational })
        var p = o + 10
        if h.flags.contains(.extra) { field(s, "XLEN", p, 2); field(s, "extra", p + 2, h.extraLength); p += 2 + h.extraLength }
        if let name = h.name { field(s, "FNAME", p, name.count, blind: { _ in .gzipName }); field(s, "FNAME NUL", p + name.count, 1); p += name.count + 1 }
        if let c = h.comment { field(s, "FCOMMENT", p, c.count, blind: { _ in .gzipName }); field(s, "FCOMMENT NUL", p + c.count, 1); p += c.count + 1 }
        if h.flags.contains(.headerCRC) { field(s, "FHCRC", p, 2) }
        l.boundaries.formUnion([o, o + h.headerLength])
        if o > 0 { l.cleanCuts.insert(o) }
      case .gzipEnd(let t):
        let o = Int(t.offset)
        field("trailer at \(o)", "CRC32", o, 4); field("trailer at \(o)", "ISIZE", o + 4, 4)
        l.boundaries.formUnion([o, o + 8])
        l.blindBytes[o - 1] = .deflatePadding
      default: break
      }
    }
    return l
  }

  static func le64(_ b: [UInt8], _ at: Int) -> UInt64 {
    (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
  }

  // MARK: Running

  static func options(_ s: Sample) throws -> VerifyOptions {
    var o = VerifyOptions()
    o.computeDigests = false
    if let e = Corpus.expectation(s.file) { o.keys = try Corpus.key(for: e) }
    return o
  }

  func keys(_ r: InputReport) -> Set<String> { Set(r.findings.map { "\($0.code)@\($0.offset ?? -1)" }) }

  /// Verifies a changed sample: whether it shows a new finding; drip-fed too when `drip` (must agree).
  func revealed(_ m: [UInt8], _ s: Sample, _ o: VerifyOptions, baseline: Set<String>, drip: Bool) -> Bool {
    let whole = Run.verify(m, name: s.file, options: o)
    if drip {
      let piped = Run.verify(m, name: s.file, step: 7, options: o)
      #expect(piped.findings == whole.findings, "\(s.file): drip-fed findings differ from whole-file ones")
    }
    return !keys(whole).subtracting(baseline).isEmpty
  }

  /// Whether a change nobody noticed left every member's content as it was (Blind.sameContent).
  func sameContent(_ m: [UInt8], _ original: [UInt8], _ s: Sample, _ o: VerifyOptions) -> Bool {
    var d = o
    d.computeDigests = true
    let before = Run.verify(original, name: s.file, options: d).digests
    return !before.isEmpty && Run.verify(m, name: s.file, options: d).digests == before
  }

  /// `budget` items spread evenly over `list`, plus the first item of every group the spread missed.
  static func spread<T>(_ list: [T], budget: Int?, group: (T) -> String) -> [T] {
    guard let budget, list.count > budget else { return list }
    var picked = Set((0..<budget).map { $0 * list.count / budget })
    var groups = Set(picked.map { group(list[$0]) })
    for (k, t) in list.enumerated() where groups.insert(group(t)).inserted { picked.insert(k) }
    return picked.sorted().map { list[$0] }
  }

  static let smallSample = 4 << 10

  @Test(arguments: samples)
  func everyHeaderFieldChangeIsFound(_ s: Sample) throws {
    let bytes = try Corpus.bytes(s.url), o = try Self.options(s)
    let baseline = keys(Run.verify(bytes, name: s.file, options: o))
    let layout = Self.layout(bytes, s.kind)
    #expect(!layout.fields.isEmpty)
    let all = layout.fields.flatMap { f in f.range.filter { $0 < bytes.count }.map { (i: $0, field: f) } }
    var silent: [String] = [], blind: [Blind: Int] = [:], tried = 0
    for (i, f) in Self.spread(all, budget: s.budget, group: { $0.field.name }) {
      var m = bytes
      m[i] ^= 0x01
      tried += 1
      if revealed(m, s, o, baseline: baseline, drip: bytes.count < Self.smallSample || tried == 1) { continue }
      if let why = f.blind(m) ?? (sameContent(m, bytes, s, o) ? .sameContent : nil) { blind[why, default: 0] += 1 }
      else { silent.append("byte \(i): \(f.name) of \(f.structure)") }
    }
    #expect(silent == [], "header changes nobody noticed in \(s.file): \(silent.prefix(12))")
    #expect(tried > 0)
  }

  @Test(arguments: samples)
  func seededRandomChangesAreFound(_ s: Sample) throws {
    let bytes = try Corpus.bytes(s.url), o = try Self.options(s)
    let baseline = keys(Run.verify(bytes, name: s.file, options: o))
    let layout = Self.layout(bytes, s.kind)
    let header = Set(layout.fields.flatMap(\.range))
    let candidates = (0..<bytes.count).filter { !header.contains($0) }
    guard !candidates.isEmpty else { return }  // all header (an empty qpress file)
    var rng = CorruptionSweepTests.SeededGenerator(state: 0x5EED_0002 ^ UInt64(bytes.count))
    let count = s.budget ?? 256
    var silent: [Int] = []
    for n in 0..<count {
      let i = candidates[Int.random(in: 0..<candidates.count, using: &rng)]
      var m = bytes
      m[i] = m[i] &+ UInt8.random(in: 1...255, using: &rng)
      if revealed(m, s, o, baseline: baseline, drip: bytes.count < Self.smallSample || n == 0) { continue }
      if layout.blindBytes[i] == nil && !sameContent(m, bytes, s, o) { silent.append(i) }
    }
    #expect(silent == [], "changes nobody noticed in \(s.file): \(silent.prefix(12))")
  }

  @Test(arguments: samples)
  func truncationAtEveryBoundaryIsFound(_ s: Sample) throws {
    let bytes = try Corpus.bytes(s.url), o = try Self.options(s)
    let baseline = keys(Run.verify(bytes, name: s.file, options: o))
    let layout = Self.layout(bytes, s.kind)
    let cuts = Self.spread(Set(layout.boundaries.flatMap { [$0 - 1, $0, $0 + 1] }).filter { $0 > 0 && $0 < bytes.count }.sorted(),
                           budget: s.budget, group: { _ in "" })
    var silent: [Int] = [], clean = 0
    for (n, cut) in cuts.enumerated() {
      let m = Array(bytes.prefix(cut))
      if revealed(m, s, o, baseline: baseline, drip: bytes.count < Self.smallSample || n == 0) { continue }
      if layout.cleanCuts.contains(cut) { clean += 1 } else { silent.append(cut) }
    }
    #expect(silent == [], "truncations nobody noticed in \(s.file): \(silent.prefix(12))")
    #expect(!cuts.isEmpty)
  }
}
