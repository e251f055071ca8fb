/// Receives what an ``XbstreamParser`` reads, in stream order.
public protocol XbstreamParserDelegate: AnyObject {
  /// A complete chunk header (for `S` with its sparse map). Payload bytes, if any, follow.
  func xbstreamChunk(_ header: XbstreamChunkHeader)
  /// The next piece of the current chunk's payload (pieces of any size; valid only for the call).
  func xbstreamPayload(_ bytes: UnsafeRawBufferPointer)
  /// The current chunk is complete. `computedChecksum` is the CRC-32 over what the stored checksum
  /// covers (0 for chunks without payload).
  func xbstreamChunkEnd(_ header: XbstreamChunkHeader, computedChecksum: UInt32)
}

/// A push parser for xbstream (spec §1): feed it the stream in pieces of any size, it calls its
/// delegate per chunk. It never holds more than one chunk header (bounded by ``XbstreamLimits``);
/// payloads pass through in the pieces they arrive in, so memory does not depend on chunk sizes.
///
/// Feeding the same bytes in different piece sizes gives the same calls, apart from how payload
/// bytes are split. Errors are sticky: after a throw, every later call throws the same error.
public struct XbstreamParser {
  public let dialect: XbstreamDialect
  /// Stream bytes consumed so far.
  public private(set) var position: Int64 = 0
  /// Whether a MariaDB-only chunk type or flag has been seen (settles `S` as seek under `.auto`).
  public private(set) var mariadbSeen = false
  /// Whether a Percona sparse chunk has been read.
  public private(set) var perconaSparseSeen = false
  /// Whether the parser is between chunks (a clean place for the stream to end).
  public var isAtChunkBoundary: Bool { header.isEmpty && current == nil }

  private var header: [UInt8] = []
  private var needed = XbstreamChunkHeader.constantLength
  private var current: XbstreamChunkHeader?
  private var remaining: UInt64 = 0
  private var crc = CRC32()
  private var failure: XbstreamError?

  public init(dialect: XbstreamDialect = .auto) { self.dialect = dialect }

  /// Consumes `bytes`. - Throws: the first structural error (sticky).
  public mutating func feed(_ bytes: UnsafeRawBufferPointer, to delegate: some XbstreamParserDelegate) throws(XbstreamError) {
    if let failure { throw failure }
    var rest = bytes
    while !rest.isEmpty {
      if current != nil {
        let n = Int(min(UInt64(rest.count), remaining))
        let piece = UnsafeRawBufferPointer(rebasing: rest[..<n])
        crc.update(piece)
        delegate.xbstreamPayload(piece)
        remaining -= UInt64(n)
        position += Int64(n)
        rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        if remaining == 0 { endChunk(delegate) }
        continue
      }
      // Gather header bytes up to what the header says it needs so far.
      let take = min(rest.count, needed - header.count)
      header.append(contentsOf: rest[..<take])
      rest = UnsafeRawBufferPointer(rebasing: rest[take...])
      if header.count < needed { continue }
      try step(atEnd: false, delegate)
    }
  }

  /// The input has ended. - Throws: truncation when it ended inside a chunk.
  public mutating func finish(_ delegate: some XbstreamParserDelegate) throws(XbstreamError) {
    if let failure { throw failure }
    // At most two steps: the pending header, then any lookahead bytes left over from it.
    for _ in 0..<2 where current == nil && !header.isEmpty { try step(atEnd: true, delegate) }
    if let current {
      let done = current.payloadLength - remaining
      let e = XbstreamError.truncated(offset: current.offset, structure: "payload", needed: current.payloadLength, available: done)
      fail(e); throw e
    }
  }

  private mutating func fail(_ e: XbstreamError) { if failure == nil { failure = e } }

  private mutating func step(atEnd: Bool, _ delegate: some XbstreamParserDelegate) throws(XbstreamError) {
    let start = position
    let result: XbstreamChunkHeader.ParseStep
    do {
      result = try XbstreamChunkHeader.parse(header, at: start, dialect: dialect, mariadbSeen: mariadbSeen, atEnd: atEnd)
    } catch {
      fail(error); throw error
    }
    switch result {
    case .needMore(let n):
      needed = n
    case .complete(let h):
      // Bytes gathered beyond the header (the seek lookahead) belong to the next chunk.
      let extra = Array(header[h.headerLength...])
      header.removeAll(keepingCapacity: true)
      needed = XbstreamChunkHeader.constantLength
      position += Int64(h.headerLength)
      switch h.kind {
      case .remove, .rename, .seek: mariadbSeen = true
      case .sparse: perconaSparseSeen = true
      default: break
      }
      if h.flags.contains(.rewrite), dialect != .percona { mariadbSeen = true }
      crc = CRC32()
      delegate.xbstreamChunk(h)
      if h.hasPayload {
        if h.kind == .sparse {
          // The map bytes are covered by the CRC before the payload.
          var mapBytes = [UInt8](); mapBytes.reserveCapacity(8 * h.sparseMap.count)
          for e in h.sparseMap {
            withUnsafeBytes(of: e.skip.littleEndian) { mapBytes.append(contentsOf: $0) }
            withUnsafeBytes(of: e.length.littleEndian) { mapBytes.append(contentsOf: $0) }
          }
          crc.update(mapBytes)
        }
        current = h
        remaining = h.payloadLength
        if remaining == 0 { endChunk(delegate) }
      } else {
        delegate.xbstreamChunkEnd(h, computedChecksum: 0)
      }
      // Lookahead bytes (fewer than a chunk's constant part) start the next header.
      header = extra
    }
  }

  private mutating func endChunk(_ delegate: some XbstreamParserDelegate) {
    let h = current!
    current = nil
    delegate.xbstreamChunkEnd(h, computedChecksum: crc.value)
  }
}
