/// Receives what a ``TarParser`` reads, in stream order.
public protocol TarParserDelegate: AnyObject {
  /// An entry's headers are complete; `entry.size` data bytes follow.
  func tarEntry(_ entry: TarEntry)
  /// The next piece of the current entry's data (valid only for the call).
  func tarData(_ bytes: UnsafeRawBufferPointer)
  /// The current entry's data (and padding) is complete.
  func tarEntryEnd(_ entry: TarEntry)
  func tarNotice(_ notice: TarNotice)
}

/// A push parser for tar streams (POSIX ustar with pax 'x' headers, GNU tar with 'L'/'K' long names):
/// feed it pieces of any size. Entry data passes through in the pieces it arrives in; only header
/// blocks and GNU/pax records (bounded by ``TarLimits``) are held.
///
/// Like `tar -i`, zero blocks do not stop it: archives concatenated after their end-of-archive
/// blocks are read too, and reported as a notice. Errors are thrown and sticky.
public struct TarParser {
  private enum State {
    case header
    case data(TarEntry, remaining: UInt64)
    /// Collecting an 'L', 'K', 'x' or 'g' record whose header is at `offset`.
    case special(type: UInt8, offset: Int64, remaining: UInt64)
    case padding(remaining: Int)
    case garbage(offset: Int64)
  }

  /// Stream bytes consumed so far.
  public private(set) var position: Int64 = 0
  public private(set) var entryCount = 0
  /// Archives seen (more than one when archives are concatenated).
  public private(set) var archiveCount = 0
  private var state = State.header
  private var block: [UInt8] = []
  private var special: [UInt8] = []
  /// Consecutive zero blocks just read.
  private var zeroRun = 0
  private var loneZeroOffset: Int64?
  /// Long name, long link and pax overrides waiting for the entry they describe.
  private var longName: [UInt8]?
  private var longLink: [UInt8]?
  private var pax: [String: [UInt8]] = [:]
  private var entryOffset: Int64?
  private var failure: TarError?

  public init() {}

  public mutating func feed(_ bytes: UnsafeRawBufferPointer, to delegate: some TarParserDelegate) throws(TarError) {
    if let failure { throw failure }
    var rest = bytes
    while !rest.isEmpty {
      switch state {
      case .garbage:
        position += Int64(rest.count); return
      case .padding(let remaining):
        let n = min(remaining, rest.count)
        advance(&rest, n)
        state = remaining == n ? .header : .padding(remaining: remaining - n)
      case .data(let entry, let remaining):
        let n = Int(min(UInt64(rest.count), remaining))
        if n > 0 { delegate.tarData(UnsafeRawBufferPointer(rebasing: rest[..<n])) }
        advance(&rest, n)
        if remaining == UInt64(n) {
          delegate.tarEntryEnd(entry)
          state = .padding(remaining: Self.padding(entry.size))
          if case .padding(0) = state { state = .header }
        } else {
          state = .data(entry, remaining: remaining - UInt64(n))
        }
      case .special(let type, let offset, let remaining):
        let n = Int(min(UInt64(rest.count), remaining))
        special.append(contentsOf: rest[..<n])
        advance(&rest, n)
        if remaining == UInt64(n) {
          try endSpecial(type, offset, delegate)
          let pad = Self.padding(UInt64(special.count))
          special = []
          state = pad == 0 ? .header : .padding(remaining: pad)
        } else {
          state = .special(type: type, offset: offset, remaining: remaining - UInt64(n))
        }
      case .header:
        let n = min(rest.count, TarLimits.blockSize - block.count)
        block.append(contentsOf: rest[..<n])
        advance(&rest, n)
        if block.count == TarLimits.blockSize {
          let start = position - Int64(TarLimits.blockSize)
          let b = block
          block.removeAll(keepingCapacity: true)
          try headerBlock(b, at: start, delegate)
        }
      }
    }
  }

  /// The stream has ended. - Throws: truncation inside an entry, or trailing bytes.
  public mutating func finish(_ delegate: some TarParserDelegate) throws(TarError) {
    if let failure { throw failure }
    var e: TarError?
    switch state {
    case .garbage(let offset):
      e = .trailingGarbage(offset: offset, count: UInt64(position - offset))
    case .data(let entry, _):
      e = .truncated(offset: entry.offset, structure: "data")
    case .special(_, let offset, _):
      e = .truncated(offset: entryOffset ?? offset, structure: "extended header")
    case .padding:
      // The data is complete; only padding is missing. GNU tar reads this as a truncated archive.
      e = .truncated(offset: position, structure: "padding after the data")
    case .header:
      if !block.isEmpty {
        if endSeenSinceLastArchive && TarHeader.isZeroBlock(block) { break }
        e = endSeenSinceLastArchive ? .trailingGarbage(offset: position - Int64(block.count), count: UInt64(block.count))
                    : .truncated(offset: entryOffset ?? position - Int64(block.count), structure: "header")
      } else if entryOffset != nil {
        e = .truncated(offset: entryOffset!, structure: "header after its extended header")
      } else if !endSeenSinceLastArchive && zeroRun == 1 {
        delegate.tarNotice(.loneZeroBlock(offset: position - Int64(TarLimits.blockSize)))
      } else if !endSeenSinceLastArchive && archiveCount > 0 {
        delegate.tarNotice(.missingEndOfArchive(offset: position))
      }
    }
    if let e { failure = e; throw e }
  }

  /// Whether the last archive read so far has ended with zero blocks.
  private var endSeenSinceLastArchive = false

  // MARK: Blocks

  private mutating func headerBlock(_ b: [UInt8], at start: Int64, _ delegate: some TarParserDelegate) throws(TarError) {
    if TarHeader.isZeroBlock(b) && entryOffset == nil {
      zeroRun += 1
      if zeroRun == 1 { loneZeroOffset = start }
      if zeroRun >= 2 { endSeenSinceLastArchive = true }
      return
    }
    let header: TarHeader
    do {
      header = try TarHeader(parsing: b, at: start)
    } catch {
      if endSeenSinceLastArchive, entryOffset == nil {
        // Not a header after the end of an archive: trailing bytes, counted to the end.
        state = .garbage(offset: start)
        return
      }
      failure = error; throw error
    }
    if zeroRun == 1, let z = loneZeroOffset { delegate.tarNotice(.loneZeroBlock(offset: z)) }
    if entryOffset == nil {
      if zeroRun > 0 || archiveCount == 0 {
        if archiveCount > 0 { delegate.tarNotice(.archiveAfterEnd(offset: start)) }
        archiveCount += 1
        endSeenSinceLastArchive = false
      }
      entryOffset = start
    }
    zeroRun = 0
    if header.hasSignedChecksum { delegate.tarNotice(.signedChecksum(offset: start)) }
    switch header.typeflag {
    case UInt8(ascii: "L"), UInt8(ascii: "K"), UInt8(ascii: "x"), UInt8(ascii: "g"):
      guard header.size <= TarLimits.maxSpecialEntrySize else {
        let e = TarError.specialEntryTooLarge(offset: start, type: header.typeflag, size: header.size)
        failure = e; throw e
      }
      special = []
      special.reserveCapacity(Int(header.size))
      if header.size == 0 {
        try endSpecial(header.typeflag, start, delegate)
      } else {
        state = .special(type: header.typeflag, offset: start, remaining: header.size)
      }
    default:
      var entry = TarEntry(offset: entryOffset ?? start, header: header, path: longName ?? header.name,
                           linkPath: longLink ?? header.linkName, size: header.size)
      if let p = pax["path"] { entry.path = p }
      if let l = pax["linkpath"] { entry.linkPath = l }
      if let s = pax["size"] {
        guard let v = UInt64(String(decoding: s, as: UTF8.self)) else {
          let e = TarError.badPaxRecord(offset: entry.offset, detail: "size \(ByteText.preview(s)) is not a number")
          failure = e; throw e
        }
        entry.size = v
      }
      // Links, directories, devices and FIFOs carry no data whatever their size field says
      // (GNU tar reads a hard link's size as 0 too).
      switch entry.kind {
      case .hardLink, .symbolicLink, .device, .directory, .fifo:
        if pax["size"] == nil { entry.size = 0 }
      default: break
      }
      longName = nil; longLink = nil; pax = [:]; entryOffset = nil
      entryCount += 1
      delegate.tarEntry(entry)
      if entry.size == 0 {
        delegate.tarEntryEnd(entry)
      } else {
        state = .data(entry, remaining: entry.size)
      }
    }
  }

  private mutating func endSpecial(_ type: UInt8, _ offset: Int64, _ delegate: some TarParserDelegate) throws(TarError) {
    switch type {
    case UInt8(ascii: "L"): longName = Array(special.prefix { $0 != 0 })
    case UInt8(ascii: "K"): longLink = Array(special.prefix { $0 != 0 })
    default:
      let records: [(String, [UInt8])]
      do { records = try Self.paxRecords(special, offset: offset) } catch { failure = error; throw error }
      for (key, value) in records {
        if type == UInt8(ascii: "g") {
          delegate.tarNotice(.ignoredPaxRecord(offset: offset, key: "global " + key)); continue
        }
        switch key {
        case "path", "linkpath", "size": pax[key] = value
        case "mtime", "atime", "ctime", "uid", "gid", "uname", "gname", "comment", "charset", "hdrcharset": break
        default:
          if !key.hasPrefix("SCHILY.") && !key.hasPrefix("LIBARCHIVE.") {
            delegate.tarNotice(.ignoredPaxRecord(offset: offset, key: key))
          }
        }
      }
    }
  }

  /// Splits pax extended-header data into `LEN key=value\n` records (LEN counts the whole record).
  static func paxRecords(_ data: [UInt8], offset: Int64) throws(TarError) -> [(String, [UInt8])] {
    var out: [(String, [UInt8])] = []
    var i = 0
    while i < data.count {
      if data[i...].allSatisfy({ $0 == 0 }) { break }  // NUL padding some writers leave
      var j = i
      var length = 0
      while j < data.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(data[j]), length < 1 << 30 {
        length = length * 10 + Int(data[j] - UInt8(ascii: "0")); j += 1
      }
      guard j < data.count, data[j] == UInt8(ascii: " "), length > j - i + 1, i + length <= data.count,
            data[i + length - 1] == UInt8(ascii: "\n") else {
        throw .badPaxRecord(offset: offset, detail: "malformed record at data offset \(i)")
      }
      let body = data[(j + 1)..<(i + length - 1)]
      guard let eq = body.firstIndex(of: UInt8(ascii: "=")) else {
        throw .badPaxRecord(offset: offset, detail: "record without '=' at data offset \(i)")
      }
      out.append((String(decoding: body[..<eq], as: UTF8.self), Array(body[(eq + 1)...])))
      i += length
    }
    return out
  }

  // MARK: Helpers

  private mutating func advance(_ rest: inout UnsafeRawBufferPointer, _ n: Int) {
    position += Int64(n)
    rest = UnsafeRawBufferPointer(rebasing: rest[n...])
  }

  /// Zero bytes after `size` data bytes up to the next block boundary.
  static func padding(_ size: UInt64) -> Int {
    let r = Int(size % UInt64(TarLimits.blockSize))
    return r == 0 ? 0 : TarLimits.blockSize - r
  }
}
