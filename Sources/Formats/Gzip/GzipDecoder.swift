/// Receives what a ``GzipDecoder`` reads, in stream order.
public protocol GzipDecoderDelegate: AnyObject {
  /// A member's header is complete; its decompressed bytes follow.
  func gzipMember(_ header: GzipMemberHeader)
  /// The next decompressed bytes (at most ``GzipLimits/outputBufferSize``; valid only for the call).
  func gzipOutput(_ bytes: UnsafeRawBufferPointer)
  /// A member's trailer has been read: what it stores and what the decoder computed.
  func gzipMemberEnd(_ trailer: GzipDecoder.Trailer)
}

/// A push decoder for gzip streams (RFC 1952): one or more members back to back, each a header, raw
/// deflate data and a CRC-32 / ISIZE trailer. Feed it pieces of any size; decompressed bytes leave
/// through the delegate in bounded pieces, so memory does not depend on the stream.
///
/// The trailer is not judged here: ``Trailer`` carries the stored and computed values. Structural
/// errors are thrown and sticky.
public final class GzipDecoder {
  public struct Trailer: Equatable, Sendable {
    public var memberOffset: Int64
    /// Stream offset of the trailer's CRC-32 field.
    public var offset: Int64
    public var storedCRC: UInt32
    public var computedCRC: UInt32
    public var storedSize: UInt32
    /// Bytes the member decompressed to (ISIZE holds this modulo 2^32).
    public var decompressedSize: UInt64
    public var crcMatches: Bool { storedCRC == computedCRC }
    public var sizeMatches: Bool { storedSize == UInt32(truncatingIfNeeded: decompressedSize) }
  }

  private enum State { case header, body, trailer, garbage }

  /// Compressed bytes consumed so far.
  public private(set) var position: Int64 = 0
  public private(set) var memberCount = 0
  private var state = State.header
  private var pending: [UInt8] = []
  private var needed = GzipMemberHeader.fixedLength
  private var memberOffset: Int64 = 0
  private var bodyOffset: Int64 = 0
  private var crc = CRC32()
  private var produced: UInt64 = 0
  private var garbageCount: UInt64 = 0
  private var garbageAllZero = true
  private var failure: GzipError?
  private let inflater = RawInflater()

  public init() {}

  public func feed(_ bytes: UnsafeRawBufferPointer, to delegate: some GzipDecoderDelegate) throws(GzipError) {
    if let failure { throw failure }
    var rest = bytes
    while !rest.isEmpty {
      switch state {
      case .garbage:
        garbageCount += UInt64(rest.count)
        if garbageAllZero { garbageAllZero = !rest.contains { $0 != 0 } }
        position += Int64(rest.count)
        return
      case .body:
        let step = inflater.inflate(rest) { out in
          crc.update(out); produced += UInt64(out.count)
          delegate.gzipOutput(out)
        }
        switch step {
        case .needInput:
          position += Int64(rest.count); return
        case .streamEnd(let unused):
          position += Int64(rest.count - unused)
          rest = UnsafeRawBufferPointer(rebasing: rest[(rest.count - unused)...])
          state = .trailer; pending = []; needed = GzipMemberHeader.trailerLength
        case .failed(let message):
          let e = GzipError.corruptData(memberOffset: memberOffset, at: bodyOffset + Int64(inflater.consumed), message: message)
          failure = e; throw e
        }
      case .header, .trailer:
        // A new member must start with ID1 ID2; anything else after a member is trailing bytes.
        if state == .header && memberCount > 0 && pending.count < 2 {
          let expected = GzipMemberHeader.magic[pending.count]
          if rest[0] != expected {
            state = .garbage
            garbageAllZero = !pending.contains { $0 != 0 }
            garbageCount = UInt64(pending.count)
            pending = []
            continue
          }
          pending.append(rest[0]); position += 1
          rest = UnsafeRawBufferPointer(rebasing: rest[1...])
          continue
        }
        var take = min(rest.count, needed - pending.count)
        if state == .header && needed == pending.count + 1 && pending.count >= GzipMemberHeader.fixedLength {
          // Inside a NUL-terminated name or comment: take everything up to its NUL at once, so that a
          // long field is scanned once, not re-parsed a byte at a time (quadratic). The field limits
          // still apply: the parse throws past them.
          let cap = GzipLimits.maxCommentLength + GzipLimits.maxNameLength + 16
          let window = min(rest.count, max(1, cap - pending.count))
          take = (rest[..<window].firstIndex(of: 0).map { $0 + 1 }) ?? window
        }
        pending.append(contentsOf: rest[..<take])
        position += Int64(take)
        rest = UnsafeRawBufferPointer(rebasing: rest[take...])
        if pending.count < needed { continue }
        if state == .header { try headerStep(delegate) } else { endMember(delegate) }
      }
    }
  }

  /// The stream has ended. - Throws: truncation inside a member, or trailing bytes.
  public func finish() throws(GzipError) {
    if let failure { throw failure }
    let e: GzipError
    switch state {
    case .header:
      if pending.isEmpty { return }  // a clean end between members (or an empty stream)
      if memberCount > 0 && pending.count < 2 {
        e = .trailingGarbage(offset: position - Int64(pending.count), count: UInt64(pending.count), allZero: pending.allSatisfy { $0 == 0 })
      } else {
        e = .truncated(memberOffset: memberOffset, structure: "header")
      }
    case .body: e = .truncated(memberOffset: memberOffset, structure: "deflate data")
    case .trailer: e = .truncated(memberOffset: memberOffset, structure: "trailer (CRC-32, ISIZE)")
    case .garbage: e = .trailingGarbage(offset: position - Int64(garbageCount), count: garbageCount, allZero: garbageAllZero)
    }
    failure = e
    throw e
  }

  private func headerStep(_ delegate: some GzipDecoderDelegate) throws(GzipError) {
    let start = position - Int64(pending.count)
    let step: GzipMemberHeader.ParseStep
    do { step = try GzipMemberHeader.parse(pending, at: start) } catch { failure = error; throw error }
    switch step {
    case .needMore(let n): needed = n
    case .complete(let h):
      memberOffset = start
      bodyOffset = start + Int64(h.headerLength)
      memberCount += 1
      pending = []
      crc = CRC32(); produced = 0
      inflater.reset()
      state = .body
      delegate.gzipMember(h)
    }
  }

  private func endMember(_ delegate: some GzipDecoderDelegate) {
    let t = Trailer(memberOffset: memberOffset, offset: position - 8, storedCRC: pending.le32(at: 0), computedCRC: crc.value,
                    storedSize: pending.le32(at: 4), decompressedSize: produced)
    pending = []
    needed = GzipMemberHeader.fixedLength
    state = .header
    delegate.gzipMemberEnd(t)
  }
}
