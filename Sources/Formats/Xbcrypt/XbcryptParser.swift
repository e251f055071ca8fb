/// Receives what an ``XbcryptParser`` reads, in input order.
public protocol XbcryptParserDelegate: AnyObject {
  /// The first byte of a chunk has arrived at layer offset `offset` (its header is not complete yet).
  func xbcryptChunkStarts(at offset: Int64)
  /// A complete chunk header. Its ciphertext follows.
  func xbcryptChunk(_ header: XbcryptChunkHeader)
  /// The next piece of the current chunk's ciphertext (pieces of any size; valid only for the call).
  func xbcryptCiphertext(_ bytes: UnsafeRawBufferPointer)
  /// The current chunk is complete; `computedChecksum` is the CRC-32 of its ciphertext.
  func xbcryptChunkEnd(_ header: XbcryptChunkHeader, computedChecksum: UInt32)
}

/// A push parser for xbcrypt (spec §2): feed it the bytes in pieces of any size, it calls its
/// delegate per chunk. It holds at most one header (bounded by ``XbcryptLimits/maxIVLength``);
/// ciphertext passes through in the pieces it arrives in and its CRC-32 is computed on the way, so
/// memory never depends on a declared size.
///
/// Errors are sticky: after a throw, every later call throws the same error.
public struct XbcryptParser {
  /// Bytes consumed so far.
  public private(set) var position: Int64 = 0
  /// Whether the parser is between chunks (a clean place for the input to end).
  public var isAtChunkBoundary: Bool { header.isEmpty && current == nil }

  private var header: [UInt8] = []
  private var needed = XbcryptChunkHeader.fixedLength
  private var current: XbcryptChunkHeader?
  private var remaining: UInt64 = 0
  private var crc = CRC32()
  private var failure: XbcryptError?

  public init() {}

  /// Consumes `bytes`. - Throws: the first structural error (sticky).
  public mutating func feed(_ bytes: UnsafeRawBufferPointer, to delegate: some XbcryptParserDelegate) throws(XbcryptError) {
    if let failure { throw failure }
    var rest = bytes
    while !rest.isEmpty {
      if current != nil {
        let n = Int(min(UInt64(rest.count), remaining))
        let piece = UnsafeRawBufferPointer(rebasing: rest[..<n])
        crc.update(piece)
        delegate.xbcryptCiphertext(piece)
        remaining -= UInt64(n)
        position += Int64(n)
        rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        if remaining == 0 { endChunk(delegate) }
        continue
      }
      if header.isEmpty { delegate.xbcryptChunkStarts(at: position) }
      let take = min(rest.count, needed - header.count)
      header.append(contentsOf: rest[..<take])
      rest = UnsafeRawBufferPointer(rebasing: rest[take...])
      if header.count < needed { continue }
      try step(atEnd: false, delegate)
    }
  }

  /// The input has ended. - Throws: truncation when it ended inside a chunk.
  public mutating func finish(_ delegate: some XbcryptParserDelegate) throws(XbcryptError) {
    if let failure { throw failure }
    if current == nil && !header.isEmpty { try step(atEnd: true, delegate) }
    if let current {
      let e = XbcryptError.truncated(offset: current.offset, structure: "ciphertext", needed: current.totalLength,
                                     available: current.totalLength - remaining)
      fail(e); throw e
    }
  }

  private mutating func fail(_ e: XbcryptError) { if failure == nil { failure = e } }

  private mutating func step(atEnd: Bool, _ delegate: some XbcryptParserDelegate) throws(XbcryptError) {
    let result: XbcryptChunkHeader.ParseStep
    do { result = try XbcryptChunkHeader.parse(header, at: position, atEnd: atEnd) } catch { fail(error); throw error }
    switch result {
    case .needMore(let n):
      needed = n
    case .complete(let h):
      header.removeAll(keepingCapacity: true)
      needed = XbcryptChunkHeader.fixedLength
      position += Int64(h.headerLength)
      crc = CRC32()
      delegate.xbcryptChunk(h)
      current = h
      remaining = h.encryptedSize
      if remaining == 0 { endChunk(delegate) }
    }
  }

  private mutating func endChunk(_ delegate: some XbcryptParserDelegate) {
    let h = current!
    current = nil
    delegate.xbcryptChunkEnd(h, computedChecksum: crc.value)
  }
}
