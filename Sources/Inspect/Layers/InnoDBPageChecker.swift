import Formats

/// Validates every page of an InnoDB tablespace member (`*.ibd`, `*.ibu`, `ibdata<N>`, `undo<N>`,
/// `undo_<N>`) from its final bytes (spec §8, rule B5). Holds one page at a time (≤
/// ``InnoDBLimits/maxPageSize``); the page size comes from FSP_SPACE_FLAGS of page 0.
///
/// Checks per page: checksum (classic crc32 / legacy big-endian / innodb / none, ROW_FORMAT=COMPRESSED,
/// MariaDB `full_crc32`), the LSN copy in the trailer, page number == position, space id == page 0's.
/// Each kind of problem becomes one finding per member with a count and the first page. Pages of
/// `ibdata`'s doublewrite buffer are copies of other pages: position and space id are not checked there.
final class InnoDBPageChecker: ByteConsumer {
  static func applies(to path: String) -> Bool {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    if name.hasSuffix(".ibd") || name.hasSuffix(".ibu") { return name.count > 4 }
    for prefix in ["ibdata", "undo_", "undo"] where name.hasPrefix(prefix) {
      let rest = name.dropFirst(prefix.count)
      if !rest.isEmpty && rest.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
    }
    return false
  }

  /// Bytes of page 0 needed to read FSP_SPACE_FLAGS.
  private static let flagsPrefix = InnoDBSpaceFlags.offset + 4

  private let context: LayerContext
  private let isSystemTablespace: Bool
  private var page: [UInt8] = []
  private var flags: InnoDBSpaceFlags?
  private var stopped = false
  private var index = 0
  private var spaceID: UInt32 = 0
  private var doublewrite: [Range<Int>] = []

  private var checked = 0, empty = 0
  private var algorithms: [InnoDBChecksumAlgorithm: Int] = [:]
  private var unchecked: [InnoDBUncheckedKind: Int] = [:]
  private var checksum = InnoDBFindingTally(code: "innodb.page_checksum")
  private var lsn = InnoDBFindingTally(code: "innodb.lsn_mismatch")
  private var number = InnoDBFindingTally(code: "innodb.page_number_mismatch")
  private var space = InnoDBFindingTally(code: "innodb.space_id_mismatch")

  init(context: LayerContext) {
    self.context = context
    let name = context.member.map { $0.path.split(separator: "/").last.map(String.init) ?? $0.path } ?? ""
    isSystemTablespace = name.hasPrefix("ibdata")
  }

  func consume(_ bytes: UnsafeRawBufferPointer) {
    var rest = bytes[...]
    while !rest.isEmpty && !stopped {
      let target = flags?.physicalPageSize ?? Self.flagsPrefix
      if page.isEmpty, flags != nil, rest.count >= target {
        // A whole page in the caller's bytes is checked where it lies: no copy.
        takePage(UnsafeRawBufferPointer(rebasing: rest.prefix(target)))
        rest = rest.dropFirst(target)
        continue
      }
      let n = min(target - page.count, rest.count)
      page.append(contentsOf: rest.prefix(n))
      rest = rest.dropFirst(n)
      guard page.count == target else { break }
      if flags == nil {
        learnFlags()  // keeps page 0's first bytes: the loop goes on to gather the whole page
      } else {
        page.withUnsafeBytes { takePage($0) }
        page.removeAll(keepingCapacity: true)
      }
    }
  }

  /// One whole page, where it lies in the input or gathered. An all-zero page is counted after one
  /// fast scan: it validates as empty in every scheme (tests pin that), and a fresh tablespace is
  /// often a third empty pages. Page 5 of the system tablespace goes the full way (its doublewrite
  /// fields are read).
  private func takePage(_ p: UnsafeRawBufferPointer) {
    if !(isSystemTablespace && index == InnoDBDoublewrite.trxSysPageNumber) && ZeroScan.isAllZero(p) {
      empty += 1
      index += 1
    } else {
      checkPage(p)
    }
  }

  private func learnFlags() {
    if page.allSatisfy({ $0 == 0 }) {
      stopped = true
      context.report(innodb: "innodb.page_size_unknown", .info, at: 0,
                           "page 0 starts with zeros: page size unknown, pages not checked")
      return
    }
    let raw = page.be32(at: InnoDBSpaceFlags.offset)
    guard let f = InnoDBSpaceFlags(rawValue: raw) else {
      stopped = true
      context.report(innodb: "innodb.space_flags_invalid", .error, at: Int64(InnoDBSpaceFlags.offset),
                           "FSP_SPACE_FLAGS \(hex32(raw)) of page 0 name no valid page size: not an InnoDB tablespace, or page 0 is damaged",
                           expected: "valid FSP_SPACE_FLAGS", found: hex32(raw))
      return
    }
    flags = f
    spaceID = InnoDBPage.spaceID(page)
  }

  private func checkPage(_ bytes: UnsafeRawBufferPointer) {
    guard let flags else { return }
    let offset = Int64(index) * Int64(flags.physicalPageSize)
    let inDoublewrite = doublewrite.contains { $0.contains(index) }
    let verdict = InnoDBPage.validate(bytes, scheme: flags.scheme)
    switch verdict {
    case .empty: empty += 1
    case .unchecked(let kind): unchecked[kind, default: 0] += 1
    case .valid(let a): checked += 1; algorithms[a, default: 0] += 1
    case _ where inDoublewrite: unchecked[.doublewriteCopy, default: 0] += 1
    case let .checksumMismatch(stored, computed):
      checksum.add(page: index, at: offset, context: context, "stored \(hex32(stored)), computed \(flags.scheme.rawValue) \(hex32(computed))",
                   expected: hex32(computed), found: hex32(stored))
    case let .compressedSizeInvalid(type):
      checksum.add(page: index, at: offset, context: context, "page_compressed type \(hex32(type)) gives a size not below the page size",
                   expected: "size < \(flags.physicalPageSize)", found: hex32(type))
    case let .lsnMismatch(header, trailer):
      lsn.add(page: index, at: offset, context: context, "header LSN low 32 bits \(hex32(header)), trailer \(hex32(trailer))",
              expected: hex32(header), found: hex32(trailer))
    }
    if verdict != .empty && !inDoublewrite {
      let n = InnoDBPage.pageNumber(bytes)
      if n != UInt32(truncatingIfNeeded: index) {
        number.add(page: index, at: offset, context: context, "page claims number \(n)", expected: String(index), found: String(n))
      }
      let s = InnoDBPage.spaceID(bytes)
      if s != spaceID {
        space.add(page: index, at: offset, context: context, "space id \(s), page 0 has \(spaceID)",
                  expected: String(spaceID), found: String(s))
      }
    }
    if isSystemTablespace && index == InnoDBDoublewrite.trxSysPageNumber && !flags.isCompressedTablespace {
      doublewrite = InnoDBDoublewrite.blocks(trxSysPage: Array(bytes)) ?? []
    }
    index += 1
  }

  func finish() {
    guard let flags, !stopped else { return }
    let pageSize = flags.physicalPageSize
    if !page.isEmpty {
      context.report(innodb: "innodb.size_not_page_multiple", .warning, at: Int64(index) * Int64(pageSize),
                           "size is not a multiple of the \(pageSize)-byte page: \(page.count) trailing bytes after page \(index - 1) not checked",
                           expected: "multiple of \(pageSize)", found: String(Int64(index) * Int64(pageSize) + Int64(page.count)))
    }
    let total = index
    checksum.report(context, what: "fail their checksum", of: total)
    lsn.report(context, what: "have a trailer LSN that differs from the header", of: total)
    number.report(context, what: "carry a page number other than their position", of: total)
    space.report(context, what: "carry a space id other than page 0's", of: total)
    let skipped = unchecked.values.reduce(0, +)
    if skipped > 0 {
      let kinds = unchecked.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }
      context.report(innodb: "innodb.pages_unchecked", .info, at: nil,
                           "\(skipped) of \(total) pages not checked (\(kinds.joined(separator: ", "))): their checksum covers a compressed or encrypted form")
    }
    guard let member = context.member else { return }
    member.setFact("innodb.page_size", String(pageSize))
    member.setFact("innodb.checksum_scheme", flags.scheme.rawValue)
    member.setFact("innodb.space_id", String(spaceID))
    member.setFact("innodb.pages", String(total))
    member.setFact("innodb.pages_checked", String(checked))
    member.setFact("innodb.pages_empty", String(empty))
    if skipped > 0 { member.setFact("innodb.pages_unchecked", String(skipped)) }
    if !algorithms.isEmpty {
      member.setFact("innodb.algorithms", algorithms.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue):\($0.value)" }.joined(separator: ","))
    }
    if checked > 0 && checksum.count + lsn.count + number.count + space.count == 0 {
      member.addProof("InnoDB page checksums")
    }
  }
}

extension InnoDBSpaceFlags {
  var isCompressedTablespace: Bool { zipSize != 0 }
}
