import Formats

/// Checks an incremental backup's `<tablespace>.delta` (spec §6.3, rule B6): block structure
/// (`xtra` header pages, the final `XTRA` block, nothing after it) and every page it carries, like
/// ``InnoDBPageChecker`` does for a whole tablespace (checksum, LSN copy, page number == the number
/// listed in the header, space id == the `.meta`'s).
///
/// The page size comes from the `.meta` streamed before it; without one it is inferred from the
/// first block (the smallest size at which the first listed page validates), holding at most
/// ``inferenceWindow`` bytes. Memory is otherwise one page.
final class InnoDBDeltaChecker: ByteConsumer {
  static func applies(to path: String) -> Bool { path.hasSuffix(".delta") && path.count > 6 }

  /// Bytes held while the page size is inferred: a header page and one page of the largest size.
  static let inferenceWindow = 2 * InnoDBLimits.maxPageSize

  private enum Phase: Equatable {
    case inferring
    case header
    case pages(remaining: [UInt32])
    case done
    case stopped
  }

  private let context: LayerContext
  private var meta: InnoDBDeltaMeta?
  private var pageSize = 0
  /// The checksum scheme if known; nil = either classic or `full_crc32` (MariaDB `.meta` has no flags).
  private var scheme: InnoDBChecksumScheme?
  private var phase = Phase.inferring
  private var unit: [UInt8] = []
  private var position: Int64 = 0
  private var blocks = 0, pages = 0, checked = 0, empty = 0, unchecked = 0
  private var lastListed: UInt32?
  /// For the system tablespace: the doublewrite buffer (from page 5 when the delta has it, else
  /// where InnoDB puts it: the second and third extents).
  private var doublewrite: [Range<Int>] = []
  private var isSystemTablespace = false
  private var checksum = InnoDBFindingTally(code: "innodb.page_checksum")
  private var lsn = InnoDBFindingTally(code: "innodb.lsn_mismatch")
  private var number = InnoDBFindingTally(code: "innodb.page_number_mismatch")
  private var space = InnoDBFindingTally(code: "innodb.space_id_mismatch")
  private var order = InnoDBFindingTally(code: "innodb.delta_page_order")

  init(context: LayerContext) {
    self.context = context
    if let member = context.member {
      meta = InnoDBDeltaState.shared(context.session).meta(for: InnoDBDeltaState.tablespaceKey(member, suffix: ".delta"))
    }
    let name = context.member.map { $0.path.split(separator: "/").last.map(String.init) ?? $0.path } ?? ""
    isSystemTablespace = name.hasPrefix("ibdata")
    if let meta {
      pageSize = meta.physicalPageSize
      scheme = meta.zipSize != 0 ? .compressed : meta.spaceFlags.flatMap { InnoDBSpaceFlags(rawValue: $0)?.scheme }
      phase = .header
      setDefaultDoublewrite()
    }
  }

  private func setDefaultDoublewrite() {
    guard isSystemTablespace, meta?.zipSize ?? 0 == 0 else { return }
    let extent = InnoDBDoublewrite.extentSize(pageSize: pageSize)
    doublewrite = [extent..<(3 * extent)]
  }

  func consume(_ bytes: UnsafeRawBufferPointer) {
    var rest = bytes[...]
    while !rest.isEmpty {
      switch phase {
      case .stopped: return
      case .done:
        context.report(innodb: "innodb.delta_trailing_data", .error, at: position,
                             "\(rest.count)+ bytes after the final XTRA block")
        phase = .stopped
        return
      case .inferring:
        let n = min(Self.inferenceWindow - unit.count, rest.count)
        unit.append(contentsOf: rest.prefix(n)); rest = rest.dropFirst(n)
        if unit.count == Self.inferenceWindow { infer(atEnd: false) }
      case .header, .pages:
        let n = min(pageSize - unit.count, rest.count)
        unit.append(contentsOf: rest.prefix(n)); rest = rest.dropFirst(n)
        if unit.count == pageSize { step() }
      }
    }
  }

  /// Picks the page size from the buffered start, then replays the buffer through ``step()``.
  private func infer(atEnd: Bool) {
    let held = unit
    unit = []
    var size: Int?
    var candidate = InnoDBLimits.minPageSize
    while candidate <= InnoDBLimits.maxPageSize && size == nil {
      defer { candidate *= 2 }
      guard held.count >= candidate, let h = try? InnoDBDeltaHeader(parsing: Array(held[0..<candidate]), at: 0) else { continue }
      if let first = h.pageNumbers.first {
        guard held.count >= 2 * candidate else { continue }
        let page = Array(held[candidate..<(2 * candidate)])
        if InnoDBPage.pageNumber(page) == first && Self.verdict(page, scheme: nil, pageSize: candidate).isValid { size = candidate }
      } else if h.isFinal && atEnd && held.count == candidate {
        size = candidate
      }
    }
    guard let size else {
      if held.count >= 4, held.be32(at: 0) != InnoDBDeltaHeader.magic, held.be32(at: 0) != InnoDBDeltaHeader.finalMagic {
        context.report(innodb: "innodb.delta_bad_magic", .error, at: 0, "delta does not start with an 'xtra'/'XTRA' header page",
                             expected: "0x78747261 or 0x58545241", found: hex32(held.be32(at: 0)))
      } else {
        context.report(innodb: "innodb.delta_page_size_unknown", .info, at: 0,
                             "no .meta before this .delta and no page size fits its first block: pages not checked")
      }
      phase = .stopped
      return
    }
    pageSize = size
    phase = .header
    setDefaultDoublewrite()
    held.withUnsafeBytes { consume($0) }
  }

  private func step() {
    defer { position += Int64(pageSize); unit.removeAll(keepingCapacity: true) }
    switch phase {
    case .header:
      do throws(InnoDBDeltaError) {
        let h = try InnoDBDeltaHeader(parsing: unit, at: position)
        blocks += 1
        phase = h.pageNumbers.isEmpty ? (h.isFinal ? .done : .header) : .pages(remaining: h.pageNumbers)
        pendingFinal = h.isFinal
      } catch {
        context.report(innodb: "innodb.delta_bad_magic", .error, at: position, "\(error)",
                             expected: "0x78747261 or 0x58545241", found: hex32(unit.be32(at: 0)))
        phase = .stopped
      }
    case .pages(var remaining):
      let listed = remaining.removeFirst()
      checkPage(listed: listed)
      phase = remaining.isEmpty ? (pendingFinal ? .done : .header) : .pages(remaining: remaining)
    default: break
    }
  }

  private var pendingFinal = false

  private func checkPage(listed: UInt32) {
    pages += 1
    if let last = lastListed, listed <= last {
      order.add(page: Int(listed), at: position, context: context, "listed after page \(last)")
    }
    lastListed = listed
    if listed == 0, scheme == nil, let f = InnoDBSpaceFlags(page0: unit) { scheme = f.scheme }
    if isSystemTablespace && Int(listed) == InnoDBDoublewrite.trxSysPageNumber,
       let blocks = InnoDBDoublewrite.blocks(trxSysPage: unit) { doublewrite = blocks }
    let verdict = Self.verdict(unit, scheme: scheme, pageSize: pageSize)
    let page = Int(listed)
    let inDoublewrite = doublewrite.contains { $0.contains(page) }
    switch verdict {
    case .empty: empty += 1
    case .unchecked: unchecked += 1
    case .valid: checked += 1
    case _ where inDoublewrite: unchecked += 1
    case let .checksumMismatch(stored, computed):
      checksum.add(page: page, at: position, context: context, "stored \(hex32(stored)), computed \(hex32(computed))",
                   expected: hex32(computed), found: hex32(stored))
    case let .compressedSizeInvalid(type):
      checksum.add(page: page, at: position, context: context, "page_compressed type \(hex32(type)) gives a size not below the page size")
    case let .lsnMismatch(header, trailer):
      lsn.add(page: page, at: position, context: context, "header LSN low 32 bits \(hex32(header)), trailer \(hex32(trailer))",
              expected: hex32(header), found: hex32(trailer))
    }
    guard verdict != .empty && !inDoublewrite else { return }
    let n = InnoDBPage.pageNumber(unit)
    if n != listed {
      number.add(page: page, at: position, context: context, "header lists page \(listed), the page claims \(n)",
                 expected: String(listed), found: String(n))
    }
    if let meta, InnoDBPage.spaceID(unit) != meta.spaceID {
      space.add(page: page, at: position, context: context, "space id \(InnoDBPage.spaceID(unit)), .meta has \(meta.spaceID)",
                expected: String(meta.spaceID), found: String(InnoDBPage.spaceID(unit)))
    }
  }

  /// The verdict under `scheme`, or when unknown the better of `full_crc32` and classic.
  static func verdict(_ page: [UInt8], scheme: InnoDBChecksumScheme?, pageSize: Int) -> InnoDBPageVerdict {
    if let scheme { return InnoDBPage.validate(page, scheme: scheme) }
    let full = InnoDBPage.validate(page, scheme: .fullCRC32)
    if !full.isCorrupt { return full }
    let classic = InnoDBPage.validate(page, scheme: .classic)
    if !classic.isCorrupt { return classic }
    if pageSize <= 16384 {
      let zip = InnoDBPage.validate(page, scheme: .compressed)
      if !zip.isCorrupt { return zip }
    }
    return classic
  }

  func finish() {
    if phase == .inferring { infer(atEnd: true) }
    switch phase {
    case .done, .stopped: break
    case .inferring: return
    case .header, .pages:
      let what: String
      if case .pages(let r) = phase { what = "\(r.count) listed page(s) missing" } else { what = "no final XTRA block" }
      context.report(innodb: "innodb.delta_truncated", .error, at: position,
                           "delta ends inside block \(blocks + (phase == .header ? 1 : 0)) (\(unit.count) bytes into a \(pageSize)-byte page): \(what)")
    }
    checksum.report(context, what: "fail their checksum", of: pages, unit: "delta pages")
    lsn.report(context, what: "have a trailer LSN that differs from the header", of: pages, unit: "delta pages")
    number.report(context, what: "carry a page number other than the one listed", of: pages, unit: "delta pages")
    space.report(context, what: "carry a space id other than the .meta's", of: pages, unit: "delta pages")
    order.report(context, severity: .warning, what: "are listed out of ascending order", of: pages, unit: "delta pages")
    guard let member = context.member, pageSize > 0 else { return }
    member.setFact("innodb.delta.page_size", String(pageSize))
    member.setFact("innodb.delta.blocks", String(blocks))
    member.setFact("innodb.delta.pages", String(pages))
    member.setFact("innodb.delta.pages_checked", String(checked))
    if checked > 0 && checksum.count + lsn.count + number.count + space.count == 0 && phase == .done {
      member.addProof("InnoDB page checksums")
    }
  }
}

extension InnoDBPageVerdict {
  var isValid: Bool { if case .valid = self { true } else { false } }
}
