import Testing
import Formats
import TestSupport

/// Every named format limit, at the limit (accepted) and one past it (refused with its own error),
/// built from headers alone: a limit is checked before anything the header declares is allocated.
/// Skipped (the value past the limit cannot be encoded): GzipLimits.maxExtraLength (XLEN is a u16).
/// LZ4Limits.blockMaximum codes 3 and 8 (one either side of the valid 4…7) are in LZ4FrameHeaderTests.
@Suite struct LimitTests {
  static func le(_ v: UInt64, _ n: Int) -> [UInt8] { XbcryptWriter.le(v, n) }

  // MARK: xbstream

  /// A `P` chunk header with a path of `n` bytes.
  static func payloadHeader(pathLength n: Int) -> [UInt8] {
    Array("XBSTCK01".utf8) + [0, UInt8(ascii: "P")] + le(UInt64(n), 4) + [UInt8](repeating: 0x61, count: n)
      + le(0, 8) + le(0, 8) + le(0, 4)
  }

  @Test func xbstreamPathLength() throws {
    let at = XbstreamLimits.maxPathLength
    guard case .complete(let h) = try XbstreamChunkHeader.parse(Self.payloadHeader(pathLength: Int(at)), at: 0, dialect: .percona) else {
      Issue.record("a path of \(at) bytes must parse"); return
    }
    #expect(h.path.count == Int(at))
    #expect(throws: XbstreamError.pathTooLong(offset: 0, length: at + 1)) {
      try XbstreamChunkHeader.parse(Self.payloadHeader(pathLength: Int(at) + 1), at: 0, dialect: .percona)
    }
  }

  /// An `S` (Percona sparse) chunk header declaring `count` map entries, without the map.
  static func sparseHeader(count: UInt32) -> [UInt8] {
    Array("XBSTCK01".utf8) + [0, UInt8(ascii: "S")] + le(1, 4) + [0x61] + le(UInt64(count), 4) + le(0, 8) + le(0, 8) + le(0, 4)
  }

  @Test func xbstreamSparseMapEntries() throws {
    let at = XbstreamLimits.maxSparseMapEntries
    // At the limit the parser asks for the whole map (8 bytes an entry): it never allocates before.
    #expect(try XbstreamChunkHeader.parse(Self.sparseHeader(count: at), at: 0, dialect: .percona) == .needMore(15 + 24 + 8 * Int(at)))
    #expect(throws: XbstreamError.sparseMapTooLarge(offset: 0, count: at + 1)) {
      try XbstreamChunkHeader.parse(Self.sparseHeader(count: at + 1), at: 0, dialect: .percona)
    }
  }

  // MARK: xbcrypt

  static func xbcryptHeader(original: UInt64, encrypted: UInt64, ivLength: UInt64 = 16) -> [UInt8] {
    Array("XBCRYP03".utf8) + le(0, 8) + le(original, 8) + le(encrypted, 8) + le(0, 4) + le(ivLength, 8)
      + [UInt8](repeating: 7, count: Int(min(ivLength, 5000)))
  }

  @Test func xbcryptSizes() throws {
    let at = XbcryptLimits.maxSize
    guard case .complete(let h) = try XbcryptChunkHeader.parse(Self.xbcryptHeader(original: at, encrypted: at), at: 0) else {
      Issue.record("sizes of INT_MAX must parse"); return
    }
    #expect(h.encryptedSize == at)
    #expect(throws: XbcryptError.sizeTooLarge(offset: 0, field: "original_size", value: at + 1)) {
      try XbcryptChunkHeader.parse(Self.xbcryptHeader(original: at + 1, encrypted: at), at: 0)
    }
    #expect(throws: XbcryptError.sizeTooLarge(offset: 0, field: "encrypted_size", value: at + 1)) {
      try XbcryptChunkHeader.parse(Self.xbcryptHeader(original: at, encrypted: at + 1), at: 0)
    }
  }

  @Test func xbcryptIVLength() throws {
    let at = XbcryptLimits.maxIVLength
    guard case .complete(let h) = try XbcryptChunkHeader.parse(Self.xbcryptHeader(original: 40, encrypted: 40, ivLength: at), at: 0) else {
      Issue.record("an IV of \(at) bytes must parse"); return
    }
    #expect(h.iv.count == Int(at))
    #expect(throws: XbcryptError.ivTooLong(offset: 0, length: at + 1)) {
      try XbcryptChunkHeader.parse(Self.xbcryptHeader(original: 40, encrypted: 40, ivLength: at + 1), at: 0)
    }
  }

  // MARK: qpress

  @Test func qpressChunkSize() throws {
    let at = QpressLimits.maxChunkSize
    #expect(try QpressArchiveHeader.parse(Array("qpress10".utf8) + Self.le(at, 8)) == .complete(QpressArchiveHeader(chunkSize: at)))
    #expect(throws: QpressError.badChunkSize(offset: 8, chunkSize: at + 1)) {
      try QpressArchiveHeader.parse(Array("qpress10".utf8) + Self.le(at + 1, 8))
    }
  }

  @Test func qpressNameLength() throws {
    let at = QpressLimits.maxNameLength
    // At the limit the item waits for its name (199 999 bytes + NUL); past it, it is refused unread.
    #expect(try QpressItem.parse([UInt8(ascii: "F")] + Self.le(UInt64(at), 4), at: 0) == .needMore(5 + Int(at) + 1))
    #expect(throws: QpressError.nameTooLong(offset: 0, length: at + 1)) {
      try QpressItem.parse([UInt8(ascii: "F")] + Self.le(UInt64(at) + 1, 4), at: 0)
    }
  }

  /// A block header with a long QuickLZ packet header declaring `length` bytes (D = 1).
  static func block(packetLength length: UInt32) -> [UInt8] {
    Array("NEWBNEWB".utf8) + le(0, 8) + le(0, 4) + [0x47] + le(UInt64(length), 4) + le(1, 4)
  }

  @Test func qpressPacketLength() throws {
    // chunk_size + packetSlack: the largest packet a block of chunk_size may need.
    let chunk: UInt64 = 65536, at = UInt32(chunk + QpressLimits.packetSlack)
    guard case .complete(let b) = try QpressBlockHeader.parse(Self.block(packetLength: at), at: 0, chunkSize: chunk) else {
      Issue.record("a packet of chunk_size + 400 bytes must parse"); return
    }
    #expect(b.packet.packetLength == at)
    #expect(throws: QpressError.badPacketLength(offset: 0, length: at + 1, minimum: 9, maximum: UInt64(at))) {
      try QpressBlockHeader.parse(Self.block(packetLength: at + 1), at: 0, chunkSize: chunk)
    }
    // maxBufferedPacket: what this reader holds whatever chunk_size says.
    let held = UInt32(QpressLimits.maxBufferedPacket)
    guard case .complete = try QpressBlockHeader.parse(Self.block(packetLength: held), at: 0, chunkSize: QpressLimits.maxChunkSize) else {
      Issue.record("a packet of maxBufferedPacket bytes must parse"); return
    }
    #expect(throws: QpressError.blockOverLimit(offset: 0, length: held + 1)) {
      try QpressBlockHeader.parse(Self.block(packetLength: held + 1), at: 0, chunkSize: QpressLimits.maxChunkSize)
    }
  }

  final class Sink: QpressParserDelegate {
    var directories = 0
    func qpressArchiveHeader(_ header: QpressArchiveHeader) {}
    func qpressDirectory(_ item: QpressItem, directories: [[UInt8]], isUnmatched: Bool) { self.directories = directories.count }
    func qpressFileStart(_ item: QpressItem, directories: [[UInt8]]) {}
    func qpressBlock(_ block: QpressBlockHeader, packet: UnsafeRawBufferPointer) {}
    func qpressFileEnd(_ trailer: QpressFileTrailer) {}
  }

  static func nested(_ depth: Int) -> (Int, QpressError?) {
    var b = QpressBuilder()
    for _ in 0..<depth { b.directory("d") }
    var p = QpressParser()
    let sink = Sink()
    let r = b.bytes.withUnsafeBytes { raw in Result { () throws(QpressError) in try p.feed(raw, to: sink); try p.finish(sink) } }
    if case .failure(let e) = r { return (sink.directories, e) }
    return (sink.directories, nil)
  }

  @Test func qpressDirectoryDepth() {
    let at = QpressLimits.maxDirectoryDepth
    #expect(Self.nested(at) == (at, nil))
    let over = Self.nested(at + 1)
    #expect(over.0 == at)
    #expect(over.1 == .directoriesTooDeep(offset: Int64(16 + 7 * at), depth: at + 1))
  }

  // MARK: QuickLZ

  @Test func quickLZDecompressedLengthBound() {
    // A stored packet of 100 bytes: accepted when the bound is 100, refused when it is 99.
    let packet = QpressBuilder.storedPacket([UInt8](repeating: 0x41, count: 100))
    var d = QuickLZDecoder(), out: [UInt8] = []
    func run(_ bound: Int) -> QuickLZError? {
      let r = packet.withUnsafeBytes { p in Result { () throws(QuickLZError) in try d.decompress(p, maxDecompressedLength: bound, into: &out) } }
      if case .failure(let e) = r { return e }
      return nil
    }
    #expect(run(100) == nil)
    #expect(out.count >= 100 && out.prefix(100).allSatisfy { $0 == 0x41 })
    #expect(run(99) == .decompressedTooLarge(declared: 100, limit: 99))
  }

  // MARK: gzip

  static func gzipHeader(flag: UInt8, text count: Int) -> [UInt8] {
    [0x1f, 0x8b, 8, flag, 0, 0, 0, 0, 0, 3] + [UInt8](repeating: 0x61, count: count) + [0]
  }

  @Test func gzipNameAndCommentLength() throws {
    for (flag, field, at) in [(UInt8(0x08), "FNAME", GzipLimits.maxNameLength), (0x10, "FCOMMENT", GzipLimits.maxCommentLength)] {
      guard case .complete(let h) = try GzipMemberHeader.parse(Self.gzipHeader(flag: flag, text: at), at: 0) else {
        Issue.record("\(field) of \(at) bytes must parse"); continue
      }
      #expect((h.name ?? h.comment)?.count == at)
      #expect(throws: GzipError.fieldTooLong(offset: 0, field: field, limit: at)) {
        try GzipMemberHeader.parse(Self.gzipHeader(flag: flag, text: at + 1), at: 0)
      }
    }
  }

  // MARK: zstd

  final class ZstdSink: ZstdDecoderDelegate {
    func zstdFrame(_ header: ZstdFrameHeader) {}
    func zstdOutput(_ bytes: UnsafeRawBufferPointer) {}
    func zstdFrameEnd(_ header: ZstdFrameHeader, decodedSize: UInt64) {}
  }

  /// The error a zstd frame header with window descriptor `wd` (no content size) gives, fed alone.
  static func zstdWindow(_ wd: UInt8) -> ZstdError? {
    let d = ZstdDecoder(), sink = ZstdSink()
    let r = [0x28, 0xB5, 0x2F, 0xFD, 0x00, wd].withUnsafeBytes { b in Result { () throws(ZstdError) in try d.feed(b, to: sink) } }
    if case .failure(let e) = r { return e }
    return nil
  }

  @Test func zstdWindowSize() {
    // Window descriptor: exponent << 3 | mantissa, window = 2^(10 + exponent) · (1 + mantissa / 8).
    #expect(ZstdLimits.maxWindowLog == 27)
    #expect(Self.zstdWindow(17 << 3) == nil)  // exactly 2^27: accepted, waits for its blocks
    // The next window the descriptor can express, 2^27 + 2^24, is refused.
    #expect(Self.zstdWindow(17 << 3 | 1) == .windowTooLarge(frameOffset: 0, windowSize: (1 << 27) + (1 << 24)))
  }

  // MARK: tar

  /// A GNU 'L' (long name) header declaring `size` bytes, checksum set.
  static func longNameHeader(size: UInt64) -> [UInt8] {
    var h = [UInt8](repeating: 0, count: 512)
    func put(_ s: String, _ at: Int) { for (i, c) in s.utf8.enumerated() { h[at + i] = c } }
    put("././@LongLink", 0); put("0000644", 100); put("0000000", 108); put("0000000", 116)
    func octal(_ v: UInt64, _ width: Int) -> String { let o = String(v, radix: 8); return String(repeating: "0", count: max(0, width - o.count)) + o }
    put(octal(size, 11), 124)
    put("00000000000", 136); h[156] = UInt8(ascii: "L"); put("ustar  ", 257)
    put("        ", 148)
    let sum = h.reduce(0) { $0 + Int($1) }
    put(octal(UInt64(sum), 6), 148)
    h[154] = 0; h[155] = 0x20
    return h
  }

  final class TarSink: TarParserDelegate {
    func tarEntry(_ entry: TarEntry) {}
    func tarData(_ bytes: UnsafeRawBufferPointer) {}
    func tarEntryEnd(_ entry: TarEntry) {}
    func tarNotice(_ notice: TarNotice) {}
  }

  static func tarFeed(_ bytes: [UInt8]) -> TarError? {
    var p = TarParser()
    let sink = TarSink()
    let r = bytes.withUnsafeBytes { b in Result { () throws(TarError) in try p.feed(b, to: sink) } }
    if case .failure(let e) = r { return e }
    return nil
  }

  @Test func tarSpecialEntrySize() {
    let at = TarLimits.maxSpecialEntrySize
    #expect(Self.tarFeed(Self.longNameHeader(size: at)) == nil)
    #expect(Self.tarFeed(Self.longNameHeader(size: at + 1)) == .specialEntryTooLarge(offset: 0, type: UInt8(ascii: "L"), size: at + 1))
  }
}
