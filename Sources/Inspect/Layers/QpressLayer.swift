import Formats

/// Verifies a qpress archive (spec §3–4, rules Q1–Q11) and passes each file's decompressed bytes on.
///
/// Two roles:
/// - **Container** (the whole input is an archive, possibly under a transparent gzip/zstd/lz4 wrapper,
///   or a member's archive starts with a directory):
///   every `F` entry becomes a member named `<dir>/…/<name>` from the `D`/`U` nesting, with a
///   pipeline of its own (an `X_xb.qp` holds one xbstream, whose members then appear by themselves).
/// - **Transform** (a member of a container, e.g. xbstream's `t1.ibd.qp`): the archive holds exactly
///   one `F` (xtrabackup's writer) whose bytes continue the same member, `.qp` stripped from its name.
///
/// Per block: marker exactness, recovery offset, Adler-32 over the stored packet, and a strict
/// QuickLZ decode bounded by the archive's chunk size. Findings sit at the block marker's offset,
/// which is also the `deliveringOffset` while the block's output goes downstream.
final class QpressLayer: ByteConsumer, QpressParserDelegate {
  /// One `F` entry being read.
  private final class OpenFile {
    let item: QpressItem
    let path: String
    /// Where the decompressed bytes go (nil: checked, then dropped).
    var consumer: ByteConsumer?
    var record: MemberRecord?
    /// Sum of the decompressed lengths of the blocks so far (what recovery must equal, Q5).
    var runningOffset: UInt64 = 0
    var blocks = 0
    var badBlocks = 0
    var recoveryMismatches = 0
    var stoppedAtSizeLimit = false
    init(item: QpressItem, path: String) { self.item = item; self.path = path }
  }

  /// The chunk size the first `.qp` member of the input declared (rule Q10).
  private final class SharedChunkSize {
    let chunkSize: UInt64
    let member: String
    init(chunkSize: UInt64, member: String) { self.chunkSize = chunkSize; self.member = member }
  }

  private enum Role { case undecided, container, transform }

  private static let sharedKey = "qpress.chunkSize"

  private let context: LayerContext
  private let isRoot: Bool
  private var parser = QpressParser()
  private var decoder = QuickLZDecoder()
  private var output: [UInt8] = []
  private var role = Role.undecided
  private var chunkSize: UInt64 = 0
  private var level: Int?
  private var file: OpenFile?
  /// `F` entries seen, and whether every block of the archive verified so far.
  private var files = 0
  private var blocks = 0
  private var allBlocksVerified = true
  private var levelReported = false
  /// Whether the transformed member's pipeline was created (it records the layer then).
  private var peeled = false
  private var extraReported = false
  private var fatal: QpressError?
  private var total: UInt64 = 0
  /// Blocks decoded ahead on helper threads (see ``DecodeJob``), and jobs to reuse.
  private let offload: InOrderOffload
  private let jobs: OffloadJobPool<DecodeJob>

  init(context: LayerContext) {
    self.context = context
    // The input itself, or the input under a whole-input wrapper (`X_xb.qp.gz`).
    if let parent = context.parent { isRoot = parent.isTransparent && parent.parent == nil } else { isRoot = true }
    offload = context.session.makeOffload()
    jobs = OffloadJobPool(session: context.session)
    if isRoot { role = .container }
  }

  // MARK: ByteConsumer

  func consume(_ bytes: UnsafeRawBufferPointer) {
    total += UInt64(bytes.count)
    guard fatal == nil else { return }
    do { try parser.feed(bytes, to: self) } catch { fatal = error }
    // Blocks in flight may outlive this piece (no drain here): a piece of a member inside xbstream is
    // often one chunk, and waiting at its end would idle the helpers. Offsets stay right (each layer
    // maps its own offsets through its arrivals), and the conclusion points depend only on the item
    // count, the same on one thread.
  }

  func finish() {
    offload.drain()
    // Every job is back (drained): give them to the layers still reading.
    defer { jobs.returnAll() }
    if fatal == nil {
      do { try parser.finish(self) } catch { fatal = error }
    }
    if let fatal { reportFatal(fatal) }
    if let open = file {
      // The input ended (or broke) inside a file: what was decoded still reaches its member.
      open.record?.setDigestNote("the qpress file is incomplete; the digest covers the blocks read")
      endFile(open, at: fatal?.offset ?? Int64(clamping: total))
    }
    if fatal == nil, !parser.directories.isEmpty {
      report("qpress.unclosed_directory", .error, at: Int64(clamping: total),
             "truncated? \(parser.directories.count) directory entries (D) are still open at the end of the archive; writers close each with U",
             expected: "U", found: "end of input")
    }
    if files == 0 && fatal == nil {
      if isRoot {
        report("qpress.empty_archive", .warning, at: 0, "the archive holds no file")
      } else {
        report("qpress.no_file_entry", .error, at: 0,
               "the archive holds no file entry; xtrabackup expects exactly one F item per .qp member",
               expected: "one F item", found: "none")
      }
    }
    switch role {
    case .container: context.becomeContainer(description: description)
    case .transform, .undecided: if !peeled { context.member?.layers.append(description) }
    }
    if fatal == nil, blocks > 0, allBlocksVerified { context.member?.addProof("qpress Adler-32") }
    if let size = parser.header?.chunkSize { context.member?.setFact("qpress.chunkSize", String(size)) }
    if let level { context.member?.setFact("qpress.level", String(level)) }
  }

  private var description: String { level.map { "qpress L\($0)" } ?? "qpress" }

  private func reportFatal(_ e: QpressError) {
    let member = file?.record
    switch e {
    case .badMagic:
      report("qpress.bad_magic", .error, at: e.offset, e.description, expected: "qpress10")
    case let .badChunkSize(_, size):
      report("qpress.bad_chunk_size", .error, at: e.offset, e.description,
             expected: "1…\(QpressLimits.maxChunkSize)", found: String(size))
    case let .badItemTag(offset, tag):
      if role == .transform && files > 0 && file == nil {
        report("qpress.trailing_bytes", .error, at: offset,
               "\(total - UInt64(offset)) bytes after the file trailer (xtrabackup: \"unexpected bytes after file trailer\")",
               expected: "end of member", found: ByteText.character(tag))
      } else {
        report("qpress.bad_item_tag", .error, at: offset, e.description, expected: "D, U or F", found: ByteText.character(tag))
      }
    case .nameTooLong:
      report("qpress.name_too_long", .error, at: e.offset, e.description)
    case .directoriesTooDeep:
      report("limit.qpress_directory_depth", .error, category: .evaluation, at: e.offset, e.description)
    case let .badMarker(_, found):
      report("qpress.bad_marker", .error, at: e.offset, e.description + inFile,
             expected: "NEWBNEWB or ENDSENDS", found: ByteText.preview(found), member: member)
    case let .badPacketLength(_, length, _, maximum):
      report("qpress.bad_packet_length", .error, at: e.offset,
             "block \(file?.blocks ?? 0)\(inFile), packet at offset \(e.offset + Int64(QpressBlockHeader.fixedLength)): " + e.description,
             expected: "≤ \(maximum)", found: String(length), member: member)
    case .blockOverLimit:
      report("limit.qpress_block", .error, category: .evaluation, at: e.offset, e.description + inFile, member: member)
    case .truncated:
      report("qpress.truncated", .error, at: e.offset, e.description + inFile, member: member)
    case .missingTrailer:
      report("qpress.missing_trailer", .error, at: e.offset, e.description, expected: "ENDSENDS", found: "end of input",
             member: member)
    }
  }

  private var inFile: String { file.map { " (file \($0.path))" } ?? "" }

  // MARK: QpressParserDelegate

  func qpressArchiveHeader(_ header: QpressArchiveHeader) {
    chunkSize = header.chunkSize
    if header.chunkSize > QpressLimits.writerMaxChunkSize {
      report("qpress.chunk_size_unusual", .warning, at: 8,
             "archive chunk_size \(header.chunkSize) is over 32 MiB, the most the qpress writer offers",
             expected: "≤ \(QpressLimits.writerMaxChunkSize)", found: String(header.chunkSize))
    }
    // Q10: xtrabackup --decompress uses one chunk size for the whole run.
    guard !isRoot, let path = context.member?.storedPath else { return }
    if let first = context.session.sharedState[Self.sharedKey] as? SharedChunkSize {
      if first.chunkSize != header.chunkSize {
        report("qpress.chunk_size_differs", .warning, at: 8,
               "chunk_size \(header.chunkSize) differs from \(first.chunkSize) in \(first.member) (xtrabackup --decompress fails on a mix)",
               expected: String(first.chunkSize), found: String(header.chunkSize))
      }
    } else {
      context.session.sharedState[Self.sharedKey] = SharedChunkSize(chunkSize: header.chunkSize, member: path)
    }
  }

  func qpressDirectory(_ item: QpressItem, directories: [[UInt8]], isUnmatched: Bool) {
    if role == .undecided {
      // A tree is not what xtrabackup writes into a member; read it as a container anyway.
      report("qpress.unexpected_item", .error, at: item.offset,
             "directory entry in a .qp member; xtrabackup expects exactly one F item",
             expected: "F", found: ByteText.character(item.kind.rawValue))
      role = .container
    } else if role == .transform {
      reportExtra(item)
    }
    if item.kind == .enterDirectory {
      checkName(item, what: "directory")
    } else if isUnmatched {
      report("qpress.unmatched_directory_up", .warning, at: item.offset, "U item with no open directory (D)")
    }
  }

  func qpressFileStart(_ item: QpressItem, directories: [[UInt8]]) {
    files += 1
    checkName(item, what: "file")
    let parts = (directories + [item.name]).map { ByteText.displayPath($0) }
    let open = OpenFile(item: item, path: parts.joined(separator: "/"))
    file = open
    switch role {
    case .undecided:
      role = .transform
      checkTransformName(item)
    case .transform:
      reportExtra(item)  // checked and decoded, then dropped
    case .container:
      if let (record, consumer) = context.openMember(storedPath: open.path) {
        open.record = record; open.consumer = consumer
      }
    }
  }

  func qpressBlock(_ block: QpressBlockHeader, packet: UnsafeRawBufferPointer) {
    guard let open = file else { return }
    let index = open.blocks
    open.blocks += 1
    blocks += 1
    open.record?.chunkCount += 1
    open.record?.storedSize += UInt64(packet.count)
    let member = open.record
    if !block.isMarkerExact {
      report("qpress.bad_marker", .error, at: block.offset,
             "block \(index) of \(open.path): marker \(ByteText.preview(block.markerBytes)) is not NEWBNEWB (qpress checks only its first byte)",
             expected: "NEWBNEWB", found: ByteText.preview(block.markerBytes), member: member)
    }
    if block.recovery != open.runningOffset {
      open.recoveryMismatches += 1
      if open.recoveryMismatches == 1 {
        report("qpress.recovery_mismatch", .warning, at: block.offset,
               "block \(index) of \(open.path): recovery offset \(block.recovery), expected the running offset \(open.runningOffset)",
               expected: String(open.runningOffset), found: String(block.recovery), member: member)
      }
    }
    let flags = block.packet.flags
    let packetLevel = Int((flags >> 2) & 3)
    if level == nil, (1...3).contains(packetLevel) { level = packetLevel }
    if canOffload(block, packet: packet, level: packetLevel, open: open), let job = jobs.take(orMake: { DecodeJob() }) {
      submitDecode(job, block, packet: packet, index: index, open: open)
      open.runningOffset &+= UInt64(block.packet.decompressedLength)
      return
    }
    offload.drain()
    if role == .transform, !levelReported, (2...3).contains(packetLevel) {
      levelReported = true
      report("qpress.level_unsupported", .error, at: block.offset,
             "block \(index) of \(open.path) is QuickLZ level \(packetLevel); xtrabackup decodes only level 1 (it would produce wrong bytes silently)",
             expected: "level 1", found: "level \(packetLevel)", member: member)
    }

    // Decode first (unless past --max-member-size): a bad Adler-32 then says whether the packet decodes.
    let limit = context.options.maxMemberSize
    var decoded: Int?
    var decodeError: QuickLZError?
    if open.runningOffset > limit {
      open.stoppedAtSizeLimit = true
    } else {
      let bound = Int(min(chunkSize, QpressLimits.maxBufferedChunkSize))
      do {
        let h = try decoder.decompress(packet, maxDecompressedLength: bound, into: &output)
        decoded = Int(h.decompressedLength)
      } catch {
        decodeError = error
      }
    }
    let declared = UInt64(block.packet.decompressedLength)

    if block.computedAdler != block.adler {
      allBlocksVerified = false
      open.badBlocks += 1
      let decodes = decodeError.map { "; the packet does not decode either: \($0)" } ?? (decoded != nil ? "; the packet still decodes, its data is suspect" : "")
      report("qpress.adler_mismatch", .error, at: block.offset,
             "Adler-32 checksum mismatch in block \(index) of \(open.path) (\(packet.count) byte packet)\(decodes)",
             expected: hex32(block.adler), found: hex32(block.computedAdler), member: member)
    } else if let e = decodeError {
      allBlocksVerified = false
      open.badBlocks += 1
      if case .decompressedTooLarge(let declared, _) = e, UInt64(declared) <= chunkSize {
        // Within the archive's own chunk size, so not malformed: only more than this reader holds.
        report("limit.qpress_block", .error, category: .evaluation, at: block.offset,
               "block \(index) of \(open.path) (Adler-32 valid) decompresses to \(declared) bytes, more than the \(QpressLimits.maxBufferedChunkSize) bytes this reader holds; not decoded",
               member: member)
      } else {
        report(Self.code(for: e), .error, at: block.offset,
               "block \(index) of \(open.path) (Adler-32 valid): \(e)", member: member)
      }
    }
    if decodeError != nil { open.record?.setDigestNote("a block could not be decompressed; the digest covers the blocks that could") }

    if let n = decoded, let consumer = open.consumer ?? transformConsumer(open) {
      context.deliveringOffset = block.offset
      output.withUnsafeBytes { consumer.consume(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
    }
    open.runningOffset &+= declared
  }

  func qpressFileEnd(_ trailer: QpressFileTrailer) {
    offload.drain()
    guard let open = file else { return }
    if !trailer.isMarkerExact {
      report("qpress.bad_marker", .error, at: trailer.offset,
             "trailer of \(open.path): marker \(ByteText.preview(trailer.markerBytes)) is not ENDSENDS (qpress checks only its first byte)",
             expected: "ENDSENDS", found: ByteText.preview(trailer.markerBytes), member: open.record)
    }
    if trailer.value != 0 {
      report("qpress.trailer_value", .warning, at: trailer.offset,
             "trailer of \(open.path) holds \(trailer.value); writers always store 0", expected: "0", found: String(trailer.value),
             member: open.record)
    }
    if open.recoveryMismatches > 1 {
      report("qpress.recovery_mismatch", .warning, at: trailer.offset,
             "\(open.recoveryMismatches) of \(open.blocks) blocks of \(open.path) have a recovery offset other than their running offset",
             member: open.record)
    }
    endFile(open, at: trailer.offset)
  }

  // MARK: Decoding ahead

  /// Packets and chunk sizes up to this many bytes may be decoded ahead (memory: ``InOrderOffload/lag``
  /// + 1 jobs of one packet and one decoded chunk each).
  static let maxOffloadedChunk = 256 << 10

  /// One block decoded on a helper thread: its own decoder tables, packet copy and output, recycled
  /// through the layer's ``OffloadJobPool``.
  private final class DecodeJob: @unchecked Sendable {
    var decoder = QuickLZDecoder()
    var packet: [UInt8] = []
    var output: [UInt8] = []
    var decoded = 0
    var error: QuickLZError?

    func run(bound: Int) {
      error = nil
      decoded = 0
      let result = packet.withUnsafeBytes { p in
        Result { () throws(QuickLZError) in try decoder.decompress(p, maxDecompressedLength: bound, into: &output) }
      }
      switch result {
      case .success(let h): decoded = Int(h.decompressedLength)
      case .failure(let e): error = e
      }
    }
  }

  /// Whether a block can be decoded ahead: one that reports nothing before its decode (exact marker,
  /// right recovery offset, valid Adler-32, an accepted level) and is of a usual size.
  private func canOffload(_ block: QpressBlockHeader, packet: UnsafeRawBufferPointer, level packetLevel: Int,
                          open: OpenFile) -> Bool {
    block.isMarkerExact && block.recovery == open.runningOffset && block.computedAdler == block.adler
      && !(role == .transform && (2...3).contains(packetLevel))
      && open.runningOffset <= context.options.maxMemberSize
      && packet.count <= Self.maxOffloadedChunk && chunkSize <= UInt64(Self.maxOffloadedChunk)
  }

  /// Copies the packet into `job` for a helper; the decoded bytes go downstream in order.
  private func submitDecode(_ job: DecodeJob, _ block: QpressBlockHeader, packet: UnsafeRawBufferPointer, index: Int,
                            open: OpenFile) {
    job.packet.removeAll(keepingCapacity: true)
    job.packet.append(contentsOf: packet)
    let bound = Int(min(chunkSize, QpressLimits.maxBufferedChunkSize))
    // Weakly: a layer its upstream abandons unfinished must not be kept by its own items.
    offload.submit(work: { job.run(bound: bound) }, then: { [weak self] in
      guard let self else { return }
      if let e = job.error {
        allBlocksVerified = false
        open.badBlocks += 1
        report(Self.code(for: e), .error, at: block.offset, "block \(index) of \(open.path) (Adler-32 valid): \(e)", member: open.record)
        open.record?.setDigestNote("a block could not be decompressed; the digest covers the blocks that could")
      } else if let consumer = open.consumer ?? transformConsumer(open) {
        context.deliveringOffset = block.offset
        let n = job.decoded
        job.output.withUnsafeBytes { consumer.consume(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
      }
      jobs.recycle(job)
    })
  }

  // MARK: Files

  /// The consumer of the member this archive transforms: created at its first block, once the
  /// level (part of the layer's description) is known.
  private func transformConsumer(_ open: OpenFile) -> ByteConsumer? {
    guard role == .transform, files == 1, open.consumer == nil else { return open.consumer }
    open.consumer = context.peeled(suffix: ".qp", description: description)
    peeled = true
    return open.consumer
  }

  private func endFile(_ open: OpenFile, at offset: Int64) {
    file = nil
    if open.stoppedAtSizeLimit {
      report("qpress.decompression_stopped", .info, at: offset,
             "\(open.path) exceeds --max-member-size \(context.options.maxMemberSize); later blocks were checked (Adler-32) but not decompressed",
             member: open.record)
    }
    let consumer = open.consumer ?? (open.blocks == 0 ? transformConsumer(open) : nil)
    context.deliveringOffset = offset
    consumer?.finish()
  }

  // MARK: Rules

  /// Q2: a second item in an xtrabackup `.qp` member.
  private func reportExtra(_ item: QpressItem) {
    guard !extraReported else { return }
    extraReported = true
    report("qpress.extra_entry", .error, at: item.offset,
           "more than one item in a .qp member (\(ByteText.character(item.kind.rawValue)) \(ByteText.displayPath(item.name))); xtrabackup expects exactly one F and nothing after its trailer",
           expected: "end of member", found: ByteText.character(item.kind.rawValue))
  }

  /// The F name of an xtrabackup member is its base name without `.qp` (§3.3).
  private func checkTransformName(_ item: QpressItem) {
    guard let path = context.member?.path else { return }
    let base = String(path.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
    let expected = base.hasSuffix(".qp") ? String(base.dropLast(3)) : base
    let found = ByteText.displayPath(item.name)
    if found != expected {
      report("qpress.name_mismatch", .warning, at: item.offset,
             "file entry \(ByteText.preview(item.name)) does not match the member name \(ByteText.preview(Array(base.utf8))) without .qp",
             expected: expected, found: found)
    }
  }

  /// Q3: names are bare entry names: not empty, no `/`, no `.`/`..`, no NUL, NUL-terminated.
  private func checkName(_ item: QpressItem, what: String) {
    let name = item.name
    let shown = ByteText.preview(name)
    if name.isEmpty {
      report("qpress.empty_name", .error, at: item.offset, "\(what) entry with an empty name")
    } else if name.contains(0) {
      report("qpress.unsafe_name", .error, at: item.offset, "\(what) name \(shown) holds a NUL byte (C readers cut it there)")
    } else if name.contains(UInt8(ascii: "/")) {
      report("qpress.unsafe_name", .error, at: item.offset,
             "\(what) name \(shown) holds \"/\" (a bare name is expected; extraction could write elsewhere)")
    } else if name == Array("..".utf8) || name == Array(".".utf8) {
      report("qpress.unsafe_name", .error, at: item.offset, "\(what) name \(shown) is a relative directory reference (extraction could write outside the target)")
    } else if name.contains(UInt8(ascii: "\\")) || name.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
      report("qpress.suspicious_name", .warning, at: item.offset, "\(what) name \(shown) holds a backslash or control characters")
    }
    if !item.isTerminated {
      report("qpress.name_not_terminated", .warning, at: item.offset,
             "\(what) name \(shown) is not followed by a NUL byte (qpress ignores it)")
    }
  }

  private static func code(for e: QuickLZError) -> String {
    switch e {
    case .decompressedTooLarge, .zeroDecompressedLength: "qpress.bad_block_size"
    default: e.isHeaderError ? "qpress.bad_packet_header" : "qpress.corrupt_packet"
    }
  }

  private func report(_ code: String, _ severity: Severity, category: FindingCategory = .integrity, at offset: Int64,
                      _ message: String, expected: String? = nil, found: String? = nil, member: MemberRecord? = nil) {
    offload.drain()  // blocks before this point report first, as on one thread
    context.report(code, severity, category: category, at: offset, member: member, message, expected: expected, found: found)
  }
}
