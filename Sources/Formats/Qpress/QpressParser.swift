/// Receives what a ``QpressParser`` reads, in archive order.
public protocol QpressParserDelegate: AnyObject {
  /// The archive header (always first).
  func qpressArchiveHeader(_ header: QpressArchiveHeader)
  /// A `D` or `U` item. `directories` is the stack after it; `isUnmatched` marks a `U` with no open `D`.
  func qpressDirectory(_ item: QpressItem, directories: [[UInt8]], isUnmatched: Bool)
  /// An `F` item: a file starts; `directories` are the `D` names enclosing it, outermost first.
  func qpressFileStart(_ item: QpressItem, directories: [[UInt8]])
  /// One whole block of the current file. `packet` is the stored QuickLZ packet, header included,
  /// valid only during the call; `block.computedAdler` is the Adler-32 over it.
  func qpressBlock(_ block: QpressBlockHeader, packet: UnsafeRawBufferPointer)
  /// The current file's trailer.
  func qpressFileEnd(_ trailer: QpressFileTrailer)
}

/// A push parser for qpress archives (spec §3): feed it the archive in pieces of any size, it calls
/// its delegate per item and per block.
///
/// A block is collected whole before it is handed over (QuickLZ decodes whole packets), so memory is
/// one packet: at most chunk_size + 400 bytes, and never more than ``QpressLimits/maxBufferedPacket``
/// whatever the header claims. Feeding the same bytes in different piece sizes gives the same calls.
/// Errors are sticky: after a throw, every later call throws the same error. Offsets in errors and
/// structures count from the archive's first byte.
public struct QpressParser {
  private enum State: Equatable {
    case archiveHeader
    /// Between items (a clean place for the archive to end).
    case item
    /// Inside a file: a block or the trailer comes next.
    case fileBody
  }

  /// Archive bytes consumed so far (the offset of the structure being gathered).
  public private(set) var position: Int64 = 0
  public private(set) var header: QpressArchiveHeader?
  /// Names of the `D` items open now, outermost first.
  public private(set) var directories: [[UInt8]] = []
  /// Whether the parser is between items (nothing pending).
  public var isAtItemBoundary: Bool { state == .item && buffer.isEmpty }

  private var state = State.archiveHeader
  private var buffer: [UInt8] = []
  private var needed = QpressArchiveHeader.length
  private var file: QpressItem?
  private var failure: QpressError?

  public init() {}

  /// Consumes `bytes`. - Throws: the first structural error (sticky).
  public mutating func feed(_ bytes: UnsafeRawBufferPointer, to delegate: some QpressParserDelegate) throws(QpressError) {
    if let failure { throw failure }
    var rest = bytes
    while !rest.isEmpty {
      if state == .fileBody && buffer.isEmpty {
        // Most blocks lie whole in one piece: read them in place instead of through the buffer.
        let used: Int?
        do { used = try blockInPlace(rest, delegate) } catch { failure = error; throw error }
        if let used { rest = UnsafeRawBufferPointer(rebasing: rest[used...]); continue }
      }
      let take = min(rest.count, needed - buffer.count)
      buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<take]))
      rest = UnsafeRawBufferPointer(rebasing: rest[take...])
      while buffer.count >= needed {
        do { try step(delegate) } catch { failure = error; throw error }
      }
    }
  }

  /// The input has ended. - Throws: truncation when it ended inside a structure or a file.
  public mutating func finish(_ delegate: some QpressParserDelegate) throws(QpressError) {
    if let failure { throw failure }
    let e: QpressError
    switch state {
    case .item where buffer.isEmpty:
      return
    case .fileBody where buffer.isEmpty:
      e = .missingTrailer(offset: position, name: file?.name ?? [])
    case .archiveHeader:
      e = .truncated(offset: position, structure: "archive header", needed: UInt64(needed), available: UInt64(buffer.count))
    case .item:
      e = .truncated(offset: position, structure: "item header", needed: UInt64(needed), available: UInt64(buffer.count))
    case .fileBody:
      let what = buffer.first == QpressFileTrailer.marker[0] ? "file trailer" : "block"
      e = .truncated(offset: position, structure: what, needed: UInt64(needed), available: UInt64(buffer.count))
    }
    failure = e
    throw e
  }

  /// Parses what `buffer` holds: either raises `needed` or completes one structure.
  private mutating func step(_ delegate: some QpressParserDelegate) throws(QpressError) {
    switch state {
    case .archiveHeader:
      switch try QpressArchiveHeader.parse(buffer, at: position) {
      case .needMore(let n): needed = n
      case .complete(let h):
        header = h
        consumeStructure(QpressArchiveHeader.length, next: .item)
        delegate.qpressArchiveHeader(h)
      }
    case .item:
      switch try QpressItem.parse(buffer, at: position) {
      case .needMore(let n): needed = n
      case .complete(let item):
        consumeStructure(item.length, next: item.kind == .file ? .fileBody : .item)
        switch item.kind {
        case .enterDirectory:
          guard directories.count < QpressLimits.maxDirectoryDepth else {
            throw .directoriesTooDeep(offset: item.offset, depth: directories.count + 1)
          }
          directories.append(item.name)
          delegate.qpressDirectory(item, directories: directories, isUnmatched: false)
        case .leaveDirectory:
          let unmatched = directories.isEmpty
          if !unmatched { directories.removeLast() }
          delegate.qpressDirectory(item, directories: directories, isUnmatched: unmatched)
        case .file:
          file = item
          delegate.qpressFileStart(item, directories: directories)
        }
      }
    case .fileBody:
      // Like qpress, the first byte decides which structure this is; the layer checks all 8.
      if needed < 8 { needed = 8; return }
      switch buffer[0] {
      case QpressBlockHeader.marker[0]:
        switch try QpressBlockHeader.parse(buffer, at: position, chunkSize: header?.chunkSize ?? 0) {
        case .needMore(let n): needed = n
        case .complete(var block):
          if buffer.count < block.totalLength { needed = block.totalLength; return }
          buffer.withUnsafeBytes { raw in
            let packet = UnsafeRawBufferPointer(rebasing: raw[QpressBlockHeader.fixedLength..<block.totalLength])
            var adler = Adler32()
            adler.update(packet)
            block.computedAdler = adler.value
            delegate.qpressBlock(block, packet: packet)
          }
          consumeStructure(block.totalLength, next: .fileBody)
        }
      case QpressFileTrailer.marker[0]:
        switch QpressFileTrailer.parse(buffer, at: position) {
        case .needMore(let n): needed = n
        case .complete(let trailer):
          consumeStructure(QpressFileTrailer.length, next: .item)
          file = nil
          delegate.qpressFileEnd(trailer)
        }
      default:
        throw .badMarker(offset: position, found: Array(buffer.prefix(8)))
      }
    }
  }

  /// Hands the delegate the block at the start of `bytes` if it lies there whole (the buffered path
  /// would read the same bytes the same way); its length, or nil to buffer instead.
  private mutating func blockInPlace(_ bytes: UnsafeRawBufferPointer, _ delegate: some QpressParserDelegate) throws(QpressError) -> Int? {
    guard bytes.count > QpressBlockHeader.fixedLength, bytes[0] == QpressBlockHeader.marker[0],
          case .complete(var block) = try QpressBlockHeader.parse(bytes, at: position, chunkSize: header?.chunkSize ?? 0),
          bytes.count >= block.totalLength else { return nil }
    let packet = UnsafeRawBufferPointer(rebasing: bytes[QpressBlockHeader.fixedLength..<block.totalLength])
    var adler = Adler32()
    adler.update(packet)
    block.computedAdler = adler.value
    delegate.qpressBlock(block, packet: packet)
    position += Int64(block.totalLength)
    needed = 8
    return block.totalLength
  }

  /// Drops a completed structure of `length` bytes (the buffer holds exactly it) and moves on.
  private mutating func consumeStructure(_ length: Int, next: State) {
    position += Int64(length)
    buffer.removeAll(keepingCapacity: true)
    state = next
    needed = next == .fileBody ? 8 : 1
  }
}
