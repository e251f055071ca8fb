internal import CZstd

/// Receives what a ``ZstdDecoder`` reads, in stream order.
public protocol ZstdDecoderDelegate: AnyObject {
  /// A frame's header is complete (for a skippable frame: its 8-byte header).
  func zstdFrame(_ header: ZstdFrameHeader)
  /// The next decompressed bytes (at most ``ZstdLimits/outputBufferSize``; valid only for the call).
  func zstdOutput(_ bytes: UnsafeRawBufferPointer)
  /// The frame is complete and libzstd accepted it (content size and XXH64 checksum included).
  func zstdFrameEnd(_ header: ZstdFrameHeader, decodedSize: UInt64)
}

/// A push decoder for zstd streams: frames back to back (skippable frames allowed), decoded with
/// libzstd's streaming API into a bounded buffer. It walks frame boundaries itself, so every frame's
/// header is checked (window against ``ZstdLimits``, dictionary, reserved bit) before libzstd sees it,
/// and every error names the frame's offset. An empty stream is valid (no frame).
public final class ZstdDecoder {
  private enum State {
    case frameStart
    case frame(ZstdFrameHeader)
    case skippable(ZstdFrameHeader, remaining: UInt64)
    case garbage(offset: Int64)
  }

  public private(set) var position: Int64 = 0
  public private(set) var frameCount = 0
  private var state = State.frameStart
  private var pending: [UInt8] = []
  private var needed = 4
  private var decoded: UInt64 = 0
  private var garbagePreview: [UInt8] = []
  private var failure: ZstdError?
  private let dctx: OpaquePointer?
  private var output: [UInt8]

  /// Asked before each frame is decoded (its window is allocated by libzstd then); returning false
  /// stops the stream with ``ZstdError/notAdmitted(frameOffset:windowSize:)``.
  public var admitFrame: ((ZstdFrameHeader) -> Bool)?

  public init() {
    dctx = ZSTD_createDCtx()
    if let dctx { ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, Int32(ZstdLimits.maxWindowLog)) }
    output = [UInt8](repeating: 0, count: ZstdLimits.outputBufferSize)
  }

  deinit { if let dctx { ZSTD_freeDCtx(dctx) } }

  public func feed(_ bytes: UnsafeRawBufferPointer, to delegate: some ZstdDecoderDelegate) throws(ZstdError) {
    if let failure { throw failure }
    var rest = bytes
    while !rest.isEmpty {
      switch state {
      case .garbage:
        if garbagePreview.count < 8 { garbagePreview.append(contentsOf: rest.prefix(8 - garbagePreview.count)) }
        position += Int64(rest.count); return
      case .skippable(let h, let remaining):
        let n = Int(min(UInt64(rest.count), remaining))
        advance(&rest, n)
        if remaining == UInt64(n) {
          delegate.zstdFrameEnd(h, decodedSize: 0); state = .frameStart
        } else {
          state = .skippable(h, remaining: remaining - UInt64(n))
        }
      case .frame(let h):
        let used = try decompress(rest, frame: h, delegate)
        advance(&rest, used)
      case .frameStart:
        let take = min(rest.count, needed - pending.count)
        pending.append(contentsOf: rest[..<take])
        advance(&rest, take)
        if pending.count < needed { continue }
        let start = position - Int64(pending.count)
        let step: ZstdFrameHeader.ParseStep
        do { step = try ZstdFrameHeader.parse(pending, at: start) } catch { failure = error; throw error }
        switch step {
        case .needMore(let n): needed = n
        case .notAFrame:
          garbagePreview = Array(pending.prefix(8))
          state = .garbage(offset: start)
          pending = []
        case .complete(let h):
          try begin(h)
          frameCount += 1
          delegate.zstdFrame(h)
          if h.isSkippable {
            pending = []
            state = h.skippableSize == 0 ? .frameStart : .skippable(h, remaining: UInt64(h.skippableSize))
            if h.skippableSize == 0 { delegate.zstdFrameEnd(h, decodedSize: 0) }
          } else {
            // The header bytes go to libzstd first; the frame's own bytes follow.
            state = .frame(h)
            decoded = 0
            let header = pending
            pending = []
            var headerError: ZstdError?
            header.withUnsafeBytes { p in
              do throws(ZstdError) { _ = try decompress(p, frame: h, delegate) } catch { headerError = error }
            }
            if let headerError { throw headerError }
          }
          needed = 4
        }
      }
    }
  }

  /// The stream has ended. - Throws: truncation inside a frame, or trailing bytes.
  public func finish() throws(ZstdError) {
    if let failure { throw failure }
    var e: ZstdError?
    switch state {
    case .frameStart:
      if !pending.isEmpty {
        let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]
        let start = position - Int64(pending.count)
        e = magic.starts(with: pending.prefix(4)) && pending.count >= 1
          ? .truncated(frameOffset: start, structure: "frame header")
          : .trailingGarbage(offset: start, count: UInt64(pending.count), preview: Array(pending.prefix(8)))
      }
    case .frame(let h): e = .truncated(frameOffset: h.offset, structure: "blocks or checksum")
    case .skippable(let h, _): e = .truncated(frameOffset: h.offset, structure: "skippable data")
    case .garbage(let offset): e = .trailingGarbage(offset: offset, count: UInt64(position - offset), preview: garbagePreview)
    }
    if let e { failure = e; throw e }
  }

  // MARK: Private

  private func begin(_ h: ZstdFrameHeader) throws(ZstdError) {
    guard !h.isSkippable else { return }
    var e: ZstdError?
    if h.windowSize > ZstdLimits.maxWindowSize { e = .windowTooLarge(frameOffset: h.offset, windowSize: h.windowSize) }
    else if h.dictionaryID != 0 { e = .dictionaryRequired(frameOffset: h.offset, id: h.dictionaryID) }
    else if let admitFrame, !admitFrame(h) { e = .notAdmitted(frameOffset: h.offset, windowSize: h.windowSize) }
    if let e { failure = e; throw e }
  }

  /// Feeds `input` (part of frame `h`) to libzstd; returns the bytes used (fewer than given when the
  /// frame ended inside `input`).
  private func decompress(_ input: UnsafeRawBufferPointer, frame h: ZstdFrameHeader,
                          _ delegate: some ZstdDecoderDelegate) throws(ZstdError) -> Int {
    guard let dctx else {
      let e = ZstdError.corrupt(frameOffset: h.offset, name: "libzstd context could not be created", isChecksum: false)
      failure = e; throw e
    }
    guard let base = input.baseAddress, input.count > 0 else { return 0 }
    var inBuf = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
    while true {
      let before = inBuf.pos
      var outPos = 0
      let ret = output.withUnsafeMutableBytes { out -> Int in
        var outBuf = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
        let r = ZSTD_decompressStream(dctx, &outBuf, &inBuf)
        outPos = outBuf.pos
        return r
      }
      if ZSTD_isError(ret) != 0 {
        let name = String(cString: ZSTD_getErrorName(ret))
        let e = ZstdError.corrupt(frameOffset: h.offset, name: name, isChecksum: ZSTD_getErrorCode(ret) == ZSTD_error_checksum_wrong)
        failure = e; throw e
      }
      if outPos > 0 {
        decoded += UInt64(outPos)
        output.withUnsafeBytes { delegate.zstdOutput(UnsafeRawBufferPointer(rebasing: $0[..<outPos])) }
      }
      if ret == 0 {
        // Frame complete and flushed; libzstd starts afresh with the next frame.
        state = .frameStart
        delegate.zstdFrameEnd(h, decodedSize: decoded)
        return inBuf.pos
      }
      if inBuf.pos == inBuf.size && outPos < output.count { return inBuf.pos }
      if outPos == 0 && inBuf.pos == before {
        let e = ZstdError.corrupt(frameOffset: h.offset, name: "libzstd made no progress", isChecksum: false)
        failure = e; throw e
      }
    }
  }

  private func advance(_ rest: inout UnsafeRawBufferPointer, _ n: Int) {
    position += Int64(n)
    rest = UnsafeRawBufferPointer(rebasing: rest[n...])
  }
}
