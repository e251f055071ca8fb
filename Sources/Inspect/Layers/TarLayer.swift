import Formats

/// Verifies a tar stream (POSIX ustar, GNU tar 1.34 with 'L'/'K' long names, pax 'x' headers;
/// spec §7.2–7.3) and feeds each regular file's bytes into a pipeline of its own.
///
/// Reads like `tar -i`: archives concatenated after their end-of-archive blocks (RDS `.tar.gz`
/// downloads may hold several) are read too, and reported, since plain `tar -x` stops before them.
/// Directories, links, devices and FIFOs are counted, not made members.
final class TarLayer: ByteConsumer, TarParserDelegate {
  private let context: LayerContext
  private var parser = TarParser()
  private var fatal: TarError?
  private var current: (entry: TarEntry, record: MemberRecord?, consumer: ByteConsumer)?
  /// The latest record per path (a later entry of the same path replaces the earlier one on extraction).
  private var seen: [[UInt8]: MemberRecord] = [:]
  private var directories = 0
  private var links = 0
  private var others = 0
  private var concatenatedReported = false

  init(context: LayerContext) {
    self.context = context
    context.becomeContainer(description: "tar")
  }

  // MARK: ByteConsumer

  func consume(_ bytes: UnsafeRawBufferPointer) {
    guard fatal == nil else { return }
    do { try parser.feed(bytes, to: self) } catch { fatal = error }
  }

  func finish() {
    if fatal == nil {
      do { try parser.finish(self) } catch { fatal = error }
    }
    if let fatal { reportFatal(fatal) }
    if let c = current { c.consumer.finish(); current = nil }
    if parser.entryCount == 0 && fatal == nil {
      context.report("tar.empty", .warning, at: 0, "empty tar archive: no entries")
    }
    context.member?.setFact("tar.archives", "\(parser.archiveCount)")
    context.member?.setFact("tar.directories", "\(directories)")
    context.member?.setFact("tar.links", "\(links)")
    if others > 0 { context.member?.setFact("tar.special", "\(others)") }
  }

  // MARK: TarParserDelegate

  func tarEntry(_ entry: TarEntry) {
    context.deliveringOffset = entry.offset
    checkPath(entry)
    switch entry.kind {
    case .directory: directories += 1
    case .hardLink, .symbolicLink: links += 1
    case .device, .fifo: others += 1
    case .gnuSpecial(let t):
      others += 1
      let skipped = t == UInt8(ascii: "V") || t == UInt8(ascii: "D")
      context.report(skipped ? "tar.special_entry" : "tar.unsupported_entry", skipped ? .info : .warning, at: entry.offset,
                     "GNU \(ByteText.character(t)) entry \(ByteText.preview(entry.path)) (\(entry.size) bytes) \(skipped ? "skipped" : "not verified: this tool does not rebuild its contents")")
    case .unknown(let t):
      context.report("tar.unknown_type", .warning, at: entry.offset,
                     "entry \(ByteText.preview(entry.path)) has unknown type \(ByteText.character(t)); read as a regular file, as POSIX says",
                     found: ByteText.character(t))
      open(entry)
    case .file:
      open(entry)
    }
    if current == nil { current = (entry, nil, DiscardingConsumer()) }
  }

  func tarData(_ bytes: UnsafeRawBufferPointer) { current?.consumer.consume(bytes) }

  func tarEntryEnd(_ entry: TarEntry) {
    current?.consumer.finish()
    current = nil
  }

  func tarNotice(_ notice: TarNotice) {
    switch notice {
    case .loneZeroBlock(let offset):
      context.report("tar.lone_zero_block", .warning, at: offset,
                     "a single zero block not followed by a second (GNU tar: \"A lone zero block\"); plain tar -x stops here")
    case .archiveAfterEnd(let offset):
      if !concatenatedReported {
        concatenatedReported = true
        context.report("tar.concatenated_archives", .warning, at: offset,
                       "another tar archive follows the end-of-archive blocks: extract with tar -i (plain tar -x stops before it and misses its members)")
      }
    case .missingEndOfArchive(let offset):
      context.report("tar.missing_end_of_archive", .error, at: offset,
                     "the tar stream ends at a block boundary without the two zero blocks that end an archive: truncated between entries?",
                     expected: "two zero blocks", found: "end of stream")
    case .signedChecksum(let offset):
      context.report("tar.signed_checksum", .info, at: offset, "header checksum matches only as a sum of signed bytes (old writers)")
    case let .ignoredPaxRecord(offset, key):
      context.report("tar.pax_ignored", .info, at: offset, "pax record \(ByteText.preview(Array(key.utf8))) not applied")
    }
  }

  // MARK: Members

  private func open(_ entry: TarEntry) {
    let earlier = seen[entry.path]
    guard let (record, consumer) = context.openMember(storedPath: ByteText.displayPath(entry.path)) else { return }
    record.storedSize = entry.size
    if let earlier {
      earlier.fate = .superseded
      context.report("tar.duplicate_member", .warning, at: entry.offset, member: record,
                     "second entry for \(ByteText.preview(entry.path)): extraction replaces the earlier copy")
    }
    seen[entry.path] = record
    current = (entry, record, consumer)
  }

  /// Names that would be written outside the target directory (GNU tar refuses `..`, strips `/`).
  private func checkPath(_ entry: TarEntry) {
    let p = entry.path
    let shown = ByteText.preview(p)
    if p.isEmpty {
      context.report("tar.empty_path", .error, at: entry.offset, "entry with an empty name"); return
    }
    let components = p.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    if p.first == UInt8(ascii: "/") {
      context.report("tar.unsafe_path", .error, at: entry.offset, "unsafe path \(shown): absolute (extraction would write outside the target)")
    } else if components.contains(where: { $0.elementsEqual("..".utf8) }) {
      context.report("tar.unsafe_path", .error, at: entry.offset, "unsafe path \(shown): a \"..\" component (extraction would write outside the target)")
    }
  }

  // MARK: Findings

  private func reportFatal(_ e: TarError) {
    switch e {
    case let .badChecksum(offset, stored, u, _):
      context.report("tar.bad_checksum", .error, at: offset, e.description + "; the rest is not read",
                     expected: stored, found: String(u, radix: 8))
    case let .badNumber(offset, field, _):
      context.report("tar.bad_header", .error, at: offset, e.description, expected: "octal or base-256 \(field)")
    case let .specialEntryTooLarge(offset, _, size):
      context.report("limit.tar_extended_header", .error, category: .evaluation, at: offset, e.description + "; the rest is not read",
                     expected: "≤ \(TarLimits.maxSpecialEntrySize)", found: "\(size)")
    case let .badPaxRecord(offset, _):
      context.report("tar.bad_pax_record", .error, at: offset, e.description)
    case let .truncated(offset, _):
      context.report("tar.truncated", .error, at: offset, member: current?.record,
                     e.description + (current?.record.map { " (member \($0.storedPath))" } ?? ""))
    case let .trailingGarbage(offset, count):
      context.report("tar.trailing_garbage", .error, at: offset, e.description,
                     expected: "zero blocks or end of stream", found: "\(count) bytes")
    }
  }
}
