internal import CLZ4

/// Receives what an ``LZ4Decoder`` reads, in stream order.
public protocol LZ4DecoderDelegate: AnyObject {
  func lz4Frame(_ header: LZ4FrameHeader)
  /// A block larger than its frame's block maximum (rule Z2, the xtrabackup writer quirk). liblz4
  /// refuses such a block, so the rest of this frame is walked but not decoded.
  func lz4BlockOverMaximum(_ header: LZ4FrameHeader, blockOffset: Int64, size: Int, isStored: Bool)
  /// The next decompressed bytes (at most ``LZ4Limits/outputBufferSize``; valid only for the call).
  func lz4Output(_ bytes: UnsafeRawBufferPointer)
  /// The frame is complete; `isDecoded` is false when a block over the maximum stopped decoding.
  func lz4FrameEnd(_ header: LZ4FrameHeader, decodedSize: UInt64, isDecoded: Bool)
}

/// A push decoder for LZ4 frame streams: frames back to back (skippable frames allowed). It walks
/// the frame structure itself (header, every block's size field, end mark, content checksum) so
/// that findings name the frame and the block, and feeds the same bytes to liblz4's frame decoder,
/// which decodes into a bounded buffer and checks HC, block and content checksums. An empty stream
/// is valid (no frame).
public final class LZ4Decoder {
  private enum State {
    case frameStart
    case blockHeader
    case blockData(remaining: UInt64)
    case contentChecksum
    case skippable(remaining: UInt64)
    case garbage(offset: Int64)
  }

  public private(set) var position: Int64 = 0
  public private(set) var frameCount = 0
  private var state = State.frameStart
  private var pending: [UInt8] = []
  private var needed = 4
  private var frame: LZ4FrameHeader?
  private var blockOffset: Int64 = 0
  private var decoded: UInt64 = 0
  /// False once a block over the maximum made liblz4 unusable for the rest of the frame.
  private var decoding = true
  private var garbagePreview: [UInt8] = []
  private var failure: LZ4Error?
  private var dctx: OpaquePointer?
  private var output: [UInt8]

  public init() {
    var ctx: OpaquePointer?
    if LZ4F_isError(LZ4F_createDecompressionContext(&ctx, UInt32(LZ4F_VERSION))) != 0 { ctx = nil }
    dctx = ctx
    output = [UInt8](repeating: 0, count: LZ4Limits.outputBufferSize)
  }

  deinit { if let dctx { LZ4F_freeDecompressionContext(dctx) } }

  public func feed(_ bytes: UnsafeRawBufferPointer, to delegate: some LZ4DecoderDelegate) throws(LZ4Error) {
    if let failure { throw failure }
    var rest = bytes
    do {
      while !rest.isEmpty {
        switch state {
        case .garbage:
          if garbagePreview.count < 8 { garbagePreview.append(contentsOf: rest.prefix(8 - garbagePreview.count)) }
          position += Int64(rest.count); return
        case .skippable(let remaining):
          let n = Int(min(UInt64(rest.count), remaining))
          advance(&rest, n)
          if remaining == UInt64(n) { endFrame(delegate) } else { state = .skippable(remaining: remaining - UInt64(n)) }
        case .blockData(let remaining):
          let n = Int(min(UInt64(rest.count), remaining))
          try decode(UnsafeRawBufferPointer(rebasing: rest[..<n]), delegate)
          advance(&rest, n)
          state = remaining == UInt64(n) ? .blockHeader : .blockData(remaining: remaining - UInt64(n))
          if remaining == UInt64(n) { needed = 4 }
        case .frameStart, .blockHeader, .contentChecksum:
          let take = min(rest.count, needed - pending.count)
          pending.append(contentsOf: rest[..<take])
          advance(&rest, take)
          if case .frameStart = state {
            // Header bytes reach liblz4 only once the header passed our own checks.
            if pending.count == needed { try frameHeaderStep(delegate) }
          } else if pending.count == needed {
            // Judged before liblz4 sees it, so that a block over the maximum is ours to report.
            try blockOrTrailerStep(delegate)
          }
        }
      }
    } catch {
      failure = error; throw error
    }
  }

  public func finish() throws(LZ4Error) {
    if let failure { throw failure }
    var e: LZ4Error?
    switch state {
    case .frameStart:
      if !pending.isEmpty {
        let start = position - Int64(pending.count)
        e = [0x04, 0x22, 0x4D, 0x18].starts(with: pending.prefix(4))
          ? .truncated(frameOffset: start, structure: "frame header")
          : .trailingGarbage(offset: start, count: UInt64(pending.count), preview: Array(pending.prefix(8)))
      }
    case .blockHeader: e = .truncated(frameOffset: frame?.offset ?? 0, structure: "blocks (no end mark)")
    case .blockData: e = .truncated(frameOffset: frame?.offset ?? 0, structure: "block at \(blockOffset)")
    case .contentChecksum: e = .truncated(frameOffset: frame?.offset ?? 0, structure: "content checksum")
    case .skippable: e = .truncated(frameOffset: frame?.offset ?? 0, structure: "skippable data")
    case .garbage(let offset): e = .trailingGarbage(offset: offset, count: UInt64(position - offset), preview: garbagePreview)
    }
    if let e { failure = e; throw e }
  }

  // MARK: Structure

  private func frameHeaderStep(_ delegate: some LZ4DecoderDelegate) throws(LZ4Error) {
    let start = position - Int64(pending.count)
    switch try LZ4FrameHeader.parse(pending, at: start) {
    case .needMore(let n): needed = n
    case .notAFrame:
      garbagePreview = Array(pending.prefix(8))
      state = .garbage(offset: start)
      pending = []
    case .complete(let h):
      frame = h
      frameCount += 1
      decoded = 0
      decoding = true
      delegate.lz4Frame(h)
      let header = pending
      pending = []
      if h.isSkippable {
        if h.skippableSize == 0 { endFrame(delegate) } else { state = .skippable(remaining: UInt64(h.skippableSize)) }
        return
      }
      if let id = h.dictionaryID { throw .dictionaryRequired(frameOffset: h.offset, id: id) }
      if let dctx { LZ4F_resetDecompressionContext(dctx) }
      try decodeField(header, delegate)
      state = .blockHeader
      needed = 4
    }
  }

  private func blockOrTrailerStep(_ delegate: some LZ4DecoderDelegate) throws(LZ4Error) {
    guard let h = frame else { return }
    let field = pending
    pending = []
    if case .contentChecksum = state {
      try decodeField(field, delegate)
      endFrame(delegate)
      return
    }
    let raw = field.le32(at: 0)
    blockOffset = position - 4
    let size = Int(raw & 0x7FFF_FFFF)
    if raw != 0 && size > h.blockMaximum {
      delegate.lz4BlockOverMaximum(h, blockOffset: blockOffset, size: size, isStored: raw & 0x8000_0000 != 0)
      decoding = false
    }
    try decodeField(field, delegate)
    if raw == 0 {
      // End mark: the content size is known now (liblz4 checks it too when decoding).
      if decoding, let declared = h.contentSize, declared != decoded {
        throw .contentSizeMismatch(frameOffset: h.offset, declared: declared, decoded: decoded)
      }
      if h.hasContentChecksum { state = .contentChecksum; needed = 4 } else { endFrame(delegate) }
      return
    }
    let total = UInt64(size) + (h.hasBlockChecksum ? 4 : 0)
    if total == 0 { state = .blockHeader; needed = 4 } else { state = .blockData(remaining: total) }
  }

  private func endFrame(_ delegate: some LZ4DecoderDelegate) {
    state = .frameStart
    needed = 4
    if let h = frame { delegate.lz4FrameEnd(h, decodedSize: decoded, isDecoded: decoding) }
  }

  // MARK: liblz4

  private func decodeField(_ bytes: [UInt8], _ delegate: some LZ4DecoderDelegate) throws(LZ4Error) {
    var failed: LZ4Error?
    bytes.withUnsafeBytes { p in
      do throws(LZ4Error) { try decode(p, delegate) } catch { failed = error }
    }
    if let failed { throw failed }
  }

  /// Feeds bytes of the current frame to liblz4 and passes its output on.
  private func decode(_ input: UnsafeRawBufferPointer, _ delegate: some LZ4DecoderDelegate) throws(LZ4Error) {
    guard decoding, let h = frame, !h.isSkippable else { return }
    guard let dctx else { throw .corrupt(frameOffset: h.offset, blockOffset: nil, name: "liblz4 context could not be created") }
    guard let base = input.baseAddress, input.count > 0 else { return }
    var used = 0
    while true {
      var srcSize = input.count - used
      var dstSize = output.count
      let r = output.withUnsafeMutableBytes { out in
        LZ4F_decompress(dctx, out.baseAddress, &dstSize, base.advanced(by: used), &srcSize, nil)
      }
      if LZ4F_isError(r) != 0 { throw mapError(String(cString: LZ4F_getErrorName(r)), h) }
      used += srcSize
      if dstSize > 0 {
        decoded += UInt64(dstSize)
        output.withUnsafeBytes { delegate.lz4Output(UnsafeRawBufferPointer(rebasing: $0[..<dstSize])) }
      }
      if used == input.count && dstSize < output.count { return }
      if srcSize == 0 && dstSize == 0 { return }
    }
  }

  private func mapError(_ name: String, _ h: LZ4FrameHeader) -> LZ4Error {
    switch name {
    case "ERROR_headerChecksum_invalid": .headerChecksum(frameOffset: h.offset)
    case "ERROR_contentChecksum_invalid": .contentChecksum(frameOffset: h.offset)
    case "ERROR_blockChecksum_invalid": .blockChecksum(frameOffset: h.offset, blockOffset: blockOffset)
    case "ERROR_frameSize_wrong": .contentSizeMismatch(frameOffset: h.offset, declared: h.contentSize ?? 0, decoded: decoded)
    default: .corrupt(frameOffset: h.offset, blockOffset: blockOffset > h.offset ? blockOffset : nil, name: name)
    }
  }

  private func advance(_ rest: inout UnsafeRawBufferPointer, _ n: Int) {
    position += Int64(n)
    rest = UnsafeRawBufferPointer(rebasing: rest[n...])
  }
}
