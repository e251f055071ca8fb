import Formats

/// Verifies an xbstream (spec §1, rules X1–X20) and feeds each member's reassembled bytes into a
/// pipeline of its own.
///
/// Per member it keeps the next expected offset, so chunk continuity (X9) follows the logical
/// extent of sparse chunks and MariaDB seeks; holes are fed as zero bytes, so the member's digest
/// is that of the file an extractor writes. MariaDB `D` and `R` chunks and the REWRITE flag are
/// applied to the member table, so the reported members are what the backup finally holds.
final class XbstreamLayer: ByteConsumer, XbstreamParserDelegate {
  private final class OpenMember {
    let record: MemberRecord
    let consumer: ByteConsumer
    /// The destination offset the next data chunk must start at.
    var nextOffset: UInt64 = 0
    /// Bytes of content already passed downstream (the written end, for seeks).
    var written: UInt64 = 0
    init(record: MemberRecord, consumer: ByteConsumer) { self.record = record; self.consumer = consumer }
  }

  /// Where the payload of the chunk being read goes.
  private enum Route {
    case none
    case member(OpenMember)
    case sparse(OpenMember, map: [XbstreamChunkHeader.SparseEntry], index: Int, remaining: UInt64)
  }

  private let context: LayerContext
  private var parser: XbstreamParser
  private var open: [[UInt8]: OpenMember] = [:]
  /// The latest record for each closed path (duplicates, renames, removals look here).
  private var closed: [[UInt8]: MemberRecord] = [:]
  private var route = Route.none
  private var fatal: XbstreamError?
  private var total: UInt64 = 0
  private var chunks = 0
  private var openLimitReached = false
  private static let zeros = [UInt8](repeating: 0, count: 64 * 1024)

  init(context: LayerContext) {
    self.context = context
    parser = XbstreamParser(dialect: context.options.dialect)
    context.becomeContainer(description: "xbstream")
  }

  // MARK: ByteConsumer

  func consume(_ bytes: UnsafeRawBufferPointer) {
    total += UInt64(bytes.count)
    guard fatal == nil, !openLimitReached else { return }
    do { try parser.feed(bytes, to: self) } catch { fatal = error }
  }

  func finish() {
    if fatal == nil && !openLimitReached {
      do { try parser.finish(self) } catch { fatal = error }
    }
    if let fatal { reportFatal(fatal) }
    // X15: members still open at the end never got their EOF chunk.
    for (_, m) in open.sorted(by: { $0.value.record.id < $1.value.record.id }) {
      if openLimitReached {
        m.record.setDigestNote("the stream was not verified past the open-member limit")
        m.consumer.finish()
        continue
      }
      context.report("xbstream.missing_eof", .error, at: Int64(clamping: total), member: m.record,
                     "member \(m.record.storedPath) has no EOF chunk: the stream ended while it was open",
                     expected: "E chunk", found: "end of stream")
      m.consumer.finish()
    }
    open = [:]
    if chunks == 0 && fatal == nil {
      context.report("xbstream.empty", .warning, at: 0, "empty stream: no chunks, no members")
    }
    let dialect = parser.mariadbSeen ? "mariadb" : parser.perconaSparseSeen ? "percona" : "common"
    context.session.setFact("xbstream.dialect", dialect)
  }

  private func reportFatal(_ e: XbstreamError) {
    switch e {
    case let .badMagic(offset, found):
      let after = total > UInt64(offset) ? total - UInt64(offset) : 0
      if open.isEmpty && chunks > 0 {
        let what = found.allSatisfy({ $0 == 0 }) ? "zero bytes" : ByteText.looksLikeText(found) ? "bytes of text" : "bytes"
        context.report("xbstream.trailing_garbage", .error, at: offset,
                       "\(after) \(what) after the last chunk do not form a chunk (starting \(ByteText.preview(found)))",
                       expected: "XBSTCK01 or end of stream", found: ByteText.preview(Array(found.prefix(8))))
      } else {
        var message = e.description
        if ByteText.looksLikeText(found) {
          message += "; the bytes are printable text: log output may have been written into the stream (stdout shared with messages?)"
        }
        context.report("xbstream.bad_magic", .error, at: offset, message,
                       expected: "XBSTCK01", found: ByteText.preview(Array(found.prefix(8))))
      }
    case let .truncated(offset, _, _, _):
      var member: MemberRecord?
      if case let .member(m) = route { member = m.record }
      if case let .sparse(m, _, _, _) = route { member = m.record }
      let name = member.map { " of member \($0.storedPath)" } ?? ""
      context.report("xbstream.truncated", .error, at: offset, member: member,
                     "truncated: \(e.description)\(name)")
    case let .unknownType(offset, _, _):
      context.report("xbstream.unknown_chunk_type", .error, at: offset, e.description)
    case let .pathTooLong(offset, length):
      context.report("xbstream.path_too_long", .error, at: offset, e.description,
                     expected: "≤ \(XbstreamLimits.maxPathLength)", found: "\(length)")
    case let .sparseMapTooLarge(offset, _):
      context.report("limit.sparse_map", .error, at: offset, e.description)
    }
  }

  // MARK: XbstreamParserDelegate

  func xbstreamChunk(_ h: XbstreamChunkHeader) {
    route = .none
    guard !openLimitReached else { return }
    chunks += 1
    context.deliveringOffset = h.offset
    let known: XbstreamChunkHeader.Flags = [.ignorable, .rewrite]
    if h.flags.rawValue & ~known.rawValue != 0 {
      report(h, "xbstream.reserved_flags", .warning, "reserved flag bits set: 0x\(String(h.flags.rawValue, radix: 16))",
             expected: "0x00–0x03", found: "0x\(String(h.flags.rawValue, radix: 16))")
    }
    switch h.kind {
    case .eof:
      if let m = open.removeValue(forKey: h.path) {
        m.record.chunkCount += 1
        m.consumer.finish()
        closed[h.path] = m.record
      } else if closed[h.path] != nil {
        report(h, "xbstream.duplicate_eof", .error, "second EOF chunk for \(display(h.path)), already closed")
      } else if let m = start(h) {  // a lone E: an empty member
        m.record.chunkCount += 1
        open[h.path] = nil
        m.consumer.finish()
        closed[h.path] = m.record
      }
    case .payload, .sparse:
      guard let m = member(for: h) else { return }
      m.record.chunkCount += 1
      // Declared lengths, summed over chunks: a hostile stream can declare 2^64 − 1 (saturate, never trap).
      m.record.storedSize = checkedAdd(m.record.storedSize, h.payloadLength) ?? .max
      checkPayloadHeader(h, m)
      if h.kind == .sparse {
        m.record.isSparse = true
        route = .sparse(m, map: h.sparseMap, index: -1, remaining: 0)
        advanceSparse()
      } else {
        route = .member(m)
      }
    case .ignorable(let type):
      report(h, "xbstream.ignorable_chunk", .warning,
             "unknown chunk type \(ByteText.character(type)) with the IGNORABLE flag skipped (\(h.payloadLength) payload bytes)")
    case .seek:
      guard let m = open[h.path] else {
        report(h, "xbstream.seek_unknown_member", .error, "seek chunk for \(display(h.path)), which is not open")
        return
      }
      m.record.chunkCount += 1
      if h.payloadOffset < m.written {
        m.record.setDigestNote("content rewritten in place by a backward seek; its digest is not computed")
      }
      if h.payloadOffset > m.written { zeroFill(m, h.payloadOffset - m.written) }  // a hole, read back as zeros
      m.nextOffset = h.payloadOffset
    case .remove:
      remove(h)
    case .rename:
      rename(h)
    }
  }

  func xbstreamPayload(_ bytes: UnsafeRawBufferPointer) {
    switch route {
    case .none: return
    case .member(let m):
      m.consumer.consume(bytes); m.written += UInt64(bytes.count)
    case .sparse:
      var rest = bytes
      while !rest.isEmpty {
        guard case .sparse(let m, let map, let index, let remaining) = route else { return }
        if remaining == 0 && index < map.count - 1 { advanceSparse(); continue }
        // Past the map (Σ len < payload_len, reported): the extra bytes still go to the member.
        let n = index >= map.count - 1 && remaining == 0 ? rest.count : Int(min(UInt64(rest.count), remaining))
        m.consumer.consume(UnsafeRawBufferPointer(rebasing: rest[..<n]))
        m.written += UInt64(n)
        route = .sparse(m, map: map, index: index, remaining: remaining - min(remaining, UInt64(n)))
        rest = UnsafeRawBufferPointer(rebasing: rest[n...])
      }
    }
  }

  func xbstreamChunkEnd(_ h: XbstreamChunkHeader, computedChecksum: UInt32) {
    guard !openLimitReached else { return }
    if case .sparse = route {
      // Trailing entries (len 0 holes) still extend the file.
      while case .sparse(_, let map, let index, _) = route, index < map.count - 1 { advanceSparse() }
    }
    if h.hasPayload && computedChecksum != h.checksum {
      let severity: Severity = { if case .ignorable = h.kind { return .warning }; return .error }()
      report(h, "xbstream.crc_mismatch", severity,
             "CRC-32 mismatch in the \(h.kind == .sparse ? "sparse map and payload" : "payload") of \(display(h.path)) (\(h.payloadLength) bytes)",
             expected: hex32(h.checksum), found: hex32(computedChecksum))
    }
    route = .none
  }

  // MARK: Members

  /// The open member a data chunk belongs to, opening it (with its checks) on first sight.
  private func member(for h: XbstreamChunkHeader) -> OpenMember? {
    if let m = open[h.path] { return m }
    if let earlier = closed[h.path] {
      if h.flags.contains(.rewrite) && context.options.dialect != .percona {
        earlier.fate = .superseded  // MariaDB rewrites a file changed during the backup
      } else {
        report(h, "xbstream.duplicate_member", .error,
               "chunk for \(display(h.path)) after its EOF chunk: a second copy of the member (extraction fails with \"file exists\")")
        earlier.fate = .superseded
      }
      closed[h.path] = nil
    }
    return start(h)
  }

  private func start(_ h: XbstreamChunkHeader) -> OpenMember? {
    guard open.count < VerifyLimits.maxOpenMembers else {
      // Stop here: tracking which later chunks belong to refused members would grow without bound.
      openLimitReached = true
      context.report("limit.open_members", .error, category: .evaluation, at: h.offset,
                     "more than \(VerifyLimits.maxOpenMembers) members open at once; the stream is not verified from here on")
      return nil
    }
    guard let (record, consumer) = context.openMember(storedPath: display(h.path)) else { return nil }
    let m = OpenMember(record: record, consumer: consumer)
    open[h.path] = m
    checkPath(h, record)
    return m
  }

  /// Rule X9 (offset continuity), X12 (empty payload), X13 (payload ≥ 4 GiB), X10 (sparse map).
  private func checkPayloadHeader(_ h: XbstreamChunkHeader, _ m: OpenMember) {
    if h.payloadOffset != m.nextOffset {
      let gap = h.payloadOffset > m.nextOffset
      let delta = gap ? h.payloadOffset - m.nextOffset : m.nextOffset - h.payloadOffset
      report(h, "xbstream.offset_mismatch", .error,
             "chunk of \(display(h.path)) at destination offset \(h.payloadOffset), expected \(m.nextOffset) (\(gap ? "gap" : "overlap") of \(delta) bytes; out-of-order chunk)",
             expected: "\(m.nextOffset)", found: "\(h.payloadOffset)")
      // The bytes of a gap are unknown: the digest would describe no real file.
      m.record.setDigestNote(gap ? "a gap between chunks; the digest is not computed"
                                 : "chunks overlap; the digest is not computed")
    }
    guard let extent = h.logicalExtent, let next = checkedAdd(h.payloadOffset, extent) else {
      report(h, "xbstream.offset_overflow", .error, "offset + extent of the chunk overflows 64 bits")
      m.nextOffset = .max
      return
    }
    m.nextOffset = next
    if h.kind == .payload && h.payloadLength == 0 {
      report(h, "xbstream.empty_payload_chunk", .warning, "zero-length payload chunk (no writer produces one)")
    }
    if h.payloadLength >= XbstreamLimits.crcCoveredPayload {
      report(h, "xbstream.payload_over_4gib", .warning,
             "payload of \(h.payloadLength) bytes: the reference tools' CRC covers only the low 32 bits of the length")
    }
    if h.kind == .sparse {
      if h.sparseMap.isEmpty {
        report(h, "xbstream.sparse_empty_map", .error, "sparse chunk with an empty map (the reference extractor reads map[-1])")
      } else if h.sparseDataLength != h.payloadLength {
        report(h, "xbstream.sparse_length_mismatch", .error,
               "sparse map lengths sum to \(h.sparseDataLength) but payload_len is \(h.payloadLength)",
               expected: "\(h.payloadLength)", found: "\(h.sparseDataLength)")
      }
    }
  }

  /// Moves to the next sparse-map entry, writing its hole as zero bytes.
  private func advanceSparse() {
    guard case .sparse(let m, let map, let index, _) = route, index + 1 < map.count else { return }
    let e = map[index + 1]
    zeroFill(m, UInt64(e.skip))
    route = .sparse(m, map: map, index: index + 1, remaining: UInt64(e.length))
  }

  /// Feeds a hole of `count` zero bytes to the member, unless it would take the member past
  /// `--max-member-size` (a hostile 2^60-byte hole costs time, never memory): then the digest is
  /// dropped instead and the limit reported once.
  private func zeroFill(_ m: OpenMember, _ count: UInt64) {
    guard m.record.digestNote == nil else { return }
    guard let end = checkedAdd(m.written, count), end <= context.options.maxMemberSize else {
      context.report("limit.member_size", .error, category: .evaluation, at: context.deliveringOffset, member: m.record,
                     "a hole of \(count) bytes would take the member past --max-member-size \(context.options.maxMemberSize); its digest is not computed")
      m.record.setDigestNote("holes beyond --max-member-size; the digest is not computed")
      return
    }
    var left = count
    Self.zeros.withUnsafeBytes { z in
      while left > 0 {
        let n = Int(min(left, UInt64(z.count)))
        m.consumer.consume(UnsafeRawBufferPointer(rebasing: z[..<n]))
        left -= UInt64(n)
      }
    }
    m.written = end
  }

  /// MariaDB `D`: the member (or a directory and everything below it) is deleted from the backup.
  private func remove(_ h: XbstreamChunkHeader) {
    let prefix = h.path + [UInt8(ascii: "/")]
    var removedAny = false
    for (path, record) in closed where path == h.path || path.starts(with: prefix) {
      record.fate = .removed
      closed[path] = nil
      removedAny = true
    }
    if let m = open[h.path] {
      report(h, "xbstream.remove_open_member", .warning, "remove chunk for \(display(h.path)) while it is open")
      m.record.fate = .removed
    } else if !removedAny {
      // Legitimate for a directory, or a file of the earlier backup an incremental is applied to.
      report(h, "xbstream.remove_unknown_member", .info,
             "remove chunk for \(display(h.path)), which this stream does not hold (a directory, or a file of an earlier backup)")
    }
  }

  /// MariaDB `R`: the member is renamed; later reports use the new name.
  private func rename(_ h: XbstreamChunkHeader) {
    guard let record = closed.removeValue(forKey: h.path) ?? open[h.path]?.record else {
      report(h, "xbstream.rename_unknown_member", .warning,
             "rename of \(display(h.path)), which the stream has not held, to \(display(h.newPath))")
      return
    }
    let oldStored = MemberRecord.canonical(record.storedPath)
    let peeledSuffix = oldStored.hasPrefix(record.path) ? String(oldStored.dropFirst(record.path.count)) : ""
    record.renamedFrom = record.storedPath
    record.storedPath = display(h.newPath)
    var newPath = MemberRecord.canonical(record.storedPath)
    if !peeledSuffix.isEmpty, newPath.hasSuffix(peeledSuffix) { newPath = String(newPath.dropLast(peeledSuffix.count)) }
    record.path = newPath
    // Like rename(2), the new name replaces a member already there.
    if let replaced = closed.removeValue(forKey: h.newPath), replaced !== record { replaced.fate = .superseded }
    if let m = open.removeValue(forKey: h.path) { open[h.newPath] = m } else { closed[h.newPath] = record }
  }

  // MARK: Path rules (X7, X20)

  private func checkPath(_ h: XbstreamChunkHeader, _ record: MemberRecord) {
    let p = h.path
    let shown = ByteText.preview(p)
    if p.isEmpty {
      report(h, "xbstream.empty_path", .error, "member with an empty path", member: record); return
    }
    if let nul = p.firstIndex(of: 0) {
      report(h, "xbstream.unsafe_path", .error,
             "unsafe path \(shown): embedded NUL (C readers truncate it to \(ByteText.preview(Array(p[..<nul]))))", member: record)
    }
    let components = p.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
    if p.first == UInt8(ascii: "/") {
      report(h, "xbstream.unsafe_path", .error, "unsafe path \(shown): absolute (extraction would write outside the target)", member: record)
    } else if components.contains(where: { $0.elementsEqual("..".utf8) }) {
      report(h, "xbstream.unsafe_path", .error, "unsafe path \(shown): a \"..\" component (extraction would write outside the target)", member: record)
    }
    let dot: [UInt8] = [UInt8(ascii: ".")]
    let meaningful = components.filter { !$0.isEmpty && !$0.elementsEqual(dot) }
    if meaningful.isEmpty {
      report(h, "xbstream.unsafe_path", .error, "unsafe path \(shown): it names the extraction directory itself, not a file", member: record)
    } else if components.dropFirst().contains(where: { $0.isEmpty || $0.elementsEqual(dot) }) || p.last == UInt8(ascii: "/") {
      report(h, "xbstream.noncanonical_path", .warning,
             "non-canonical member path \(shown) (empty or \".\" components, or a trailing slash): tools may name it differently", member: record)
    }
    if String(validating: p, as: UTF8.self) == nil {
      report(h, "xbstream.invalid_utf8_path", .warning, "member path \(shown) is not valid UTF-8", member: record)
    }
    if p.contains(UInt8(ascii: "\\")) {
      report(h, "xbstream.backslash_in_path", .warning, "backslash in member path \(shown) (a Windows separator, or a name extraction treats differently)", member: record)
    }
    if p.contains(where: { ($0 < 0x20 && $0 != 0) || $0 == 0x7F }) {
      report(h, "xbstream.control_character_in_path", .warning, "control characters in member path \(shown)", member: record)
    }
    let meta = Set(";|&$`<>*?!'\"(){}\n".utf8)
    if p.contains(where: { meta.contains($0) }) {
      report(h, "xbstream.shell_metacharacter_in_path", .warning,
             "shell metacharacters in member name \(shown): quote it in any script that handles extracted files", member: record)
    }
    let name = String(decoding: p, as: UTF8.self)
    for kind in LayerKind.allCases {
      if let s = kind.suffix, name.hasSuffix(s + s) {
        report(h, "xbstream.double_suffix", .warning, "doubled layer suffix in \(shown)", member: record)
      }
    }
  }

  // MARK: Helpers

  private func display(_ path: [UInt8]) -> String { ByteText.displayPath(path) }

  private func report(_ h: XbstreamChunkHeader, _ code: String, _ severity: Severity, _ message: String,
                      expected: String? = nil, found: String? = nil, member: MemberRecord? = nil) {
    let record = member ?? open[h.path]?.record ?? closed[h.path]
    context.report(code, severity, at: h.offset, member: record, message, expected: expected, found: found)
  }
}

func hex32(_ v: UInt32) -> String {
  let s = String(v, radix: 16)
  return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}
