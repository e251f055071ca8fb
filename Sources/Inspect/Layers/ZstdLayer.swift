import Formats

/// Verifies a zstd layer (spec §5.2, rules Z4–Z5) and passes its decompressed bytes on.
///
/// Every frame is decoded by libzstd (which checks the blocks, the content size and the XXH64
/// checksum) with a bounded window (``ZstdLimits``); frame headers are read here first so that each
/// finding names its frame. xtrabackup writes one frame per write, always with a checksum, never a
/// skippable frame: other options are warnings. An empty layer is valid (an empty member).
final class ZstdLayer: ByteConsumer, ZstdDecoderDelegate {
  private let context: LayerContext
  private let decoder = ZstdDecoder()
  private let next: ByteConsumer
  private var fatal: ZstdError?
  private var framesWithoutChecksum = 0
  private var skippableFrames = 0
  private var total: UInt64 = 0

  init(context: LayerContext) {
    self.context = context
    if context.parent == nil { context.isTransparent = true }
    next = context.peeled(suffix: ".zst", description: "zstd")
    decoder.admitFrame = { [unowned self] h in self.reserveWindow(h.windowSize) }
  }

  /// Bytes of this member's window counted against the input's ``MemoryBudget`` (libzstd keeps the
  /// largest window allocated until the layer ends).
  private var reservedWindow = 0

  private func reserveWindow(_ size: UInt64) -> Bool {
    let needed = Int(min(size, ZstdLimits.maxWindowSize))
    guard needed > reservedWindow, needed >= MemoryBudget.threshold else { return true }
    guard MemoryBudget.of(context.session).reserve(needed - reservedWindow) else { return false }
    reservedWindow = needed
    return true
  }

  func consume(_ bytes: UnsafeRawBufferPointer) {
    guard fatal == nil else { return }
    do { try decoder.feed(bytes, to: self) } catch { fatal = error }
  }

  func finish() {
    defer { MemoryBudget.of(context.session).release(reservedWindow); reservedWindow = 0 }
    if fatal == nil {
      do { try decoder.finish() } catch { fatal = error }
    }
    if let fatal { reportFatal(fatal) }
    context.member?.setFact("zstd.frames", "\(decoder.frameCount)")
    if fatal == nil && decoder.frameCount > 0 { context.member?.addProof("zstd XXH64") }
    next.finish()
  }

  // MARK: ZstdDecoderDelegate

  func zstdFrame(_ h: ZstdFrameHeader) {
    context.deliveringOffset = h.offset
    if h.isSkippable {
      skippableFrames += 1
      if skippableFrames == 1 {
        context.report("zstd.skippable_frame", .warning, at: h.offset,
                       "skippable frame of \(h.skippableSize) bytes (xtrabackup never writes one); its data is not checked")
      }
    } else if !h.hasChecksum {
      framesWithoutChecksum += 1
      if framesWithoutChecksum == 1 {
        context.report("zstd.no_checksum", .warning, at: h.offset,
                       "zstd frame without the content checksum flag (xtrabackup sets it): its content is not protected by XXH64")
      }
    }
  }

  func zstdOutput(_ bytes: UnsafeRawBufferPointer) { next.consume(bytes) }

  func zstdFrameEnd(_ h: ZstdFrameHeader, decodedSize: UInt64) { total += decodedSize }

  private func reportFatal(_ e: ZstdError) {
    switch e {
    case let .windowTooLarge(offset, window):
      context.report("zstd.window_too_large", .error, at: offset, e.description + "; not decoded",
                     expected: "≤ \(ZstdLimits.maxWindowSize)", found: "\(window)")
    case let .notAdmitted(offset, window):
      context.report("limit.memory", .error, category: .evaluation, at: offset,
                     e.description + " (\(MemoryBudget.limit >> 20) MiB for the large buffers of all members at once); not decoded",
                     expected: "≤ \(MemoryBudget.limit - MemoryBudget.of(context.session).inUse) bytes", found: "\(window)")
    case let .reservedBit(offset, d):
      context.report("zstd.bad_header", .error, at: offset, e.description, expected: "bit 3 clear", found: "0x" + String(d, radix: 16))
    case let .dictionaryRequired(offset, id):
      context.report("zstd.dictionary", .error, at: offset, e.description, expected: "no dictionary", found: "\(id)")
    case let .corrupt(offset, name, isChecksum):
      context.report(isChecksum ? "zstd.checksum_mismatch" : "zstd.corrupt", .error, at: offset, e.description,
                     found: name)
    case let .truncated(offset, _):
      context.report("zstd.truncated", .error, at: offset, e.description + " (the layer ended after \(decoder.position) bytes)")
    case let .trailingGarbage(offset, count, _):
      context.report("zstd.trailing_garbage", .error, at: offset, e.description,
                     expected: "a zstd frame (28 b5 2f fd) or end of stream", found: "\(count) bytes")
    }
  }
}
