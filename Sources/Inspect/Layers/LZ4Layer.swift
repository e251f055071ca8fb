import Formats

/// Verifies an LZ4 frame layer (spec §5.1, rules Z1–Z3, Z5, quirk §10 item 15) and passes its
/// decompressed bytes on.
///
/// Frame headers and block size fields are walked here, so a block larger than its frame's maximum
/// (the xtrabackup writer quirk that its own reader and `lz4 -d` reject) is an error at that block;
/// liblz4 decodes and checks HC, block and content checksums and the content size. An empty layer
/// is valid (an empty member).
final class LZ4Layer: ByteConsumer, LZ4DecoderDelegate {
  private let context: LayerContext
  private let decoder = LZ4Decoder()
  private let next: ByteConsumer
  private var fatal: LZ4Error?
  private var optionsReported = false
  private var skippableReported = false
  private var undecodedFrames = 0

  init(context: LayerContext) {
    self.context = context
    if context.parent == nil { context.isTransparent = true }
    next = context.peeled(suffix: ".lz4", description: "lz4")
  }

  func consume(_ bytes: UnsafeRawBufferPointer) {
    guard fatal == nil else { return }
    do { try decoder.feed(bytes, to: self) } catch { fatal = error }
  }

  func finish() {
    if fatal == nil {
      do { try decoder.finish() } catch { fatal = error }
    }
    if let fatal { reportFatal(fatal) }
    context.member?.setFact("lz4.frames", "\(decoder.frameCount)")
    if fatal == nil && undecodedFrames == 0 && decoder.frameCount > 0 { context.member?.addProof("lz4 xxHash32") }
    next.finish()
  }

  // MARK: LZ4DecoderDelegate

  func lz4Frame(_ h: LZ4FrameHeader) {
    context.deliveringOffset = h.offset
    if h.isSkippable {
      if !skippableReported {
        skippableReported = true
        context.report("lz4.skippable_frame", .warning, at: h.offset,
                       "skippable frame of \(h.skippableSize) bytes (xtrabackup never writes one); its data is not checked")
      }
    } else if h.flg != LZ4FrameHeader.xtrabackupFLG && !optionsReported {
      optionsReported = true
      var what: [String] = []
      if h.hasBlockChecksum { what.append("block checksums on") }
      if !h.hasContentChecksum { what.append("no content checksum") }
      if h.contentSize == nil { what.append("no content size") }
      if h.flg & 0x20 == 0 { what.append("linked blocks") }
      context.report("lz4.unexpected_options", .warning, at: h.offset,
                     "frame options differ from xtrabackup's writer (\(what.joined(separator: ", ")))",
                     expected: "FLG 0x6c", found: "FLG 0x" + String(h.flg, radix: 16))
    }
  }

  func lz4BlockOverMaximum(_ h: LZ4FrameHeader, blockOffset: Int64, size: Int, isStored: Bool) {
    context.report("lz4.block_over_max", .error, at: blockOffset,
                   "LZ4 block of \(size) bytes exceeds the \(h.blockMaximum / 1024) KiB block maximum of its frame (at \(h.offset)): xtrabackup's own reader and lz4 -d reject it (an xtrabackup writer quirk); the rest of the frame is not decoded",
                   expected: "≤ \(h.blockMaximum)", found: "\(size)")
    if undecodedFrames == 0 {
      context.member?.setDigestNote("an LZ4 frame could not be decoded (block over the maximum); no digest")
    }
    undecodedFrames += 1
  }

  func lz4Output(_ bytes: UnsafeRawBufferPointer) { next.consume(bytes) }

  func lz4FrameEnd(_ h: LZ4FrameHeader, decodedSize: UInt64, isDecoded: Bool) {}

  private func reportFatal(_ e: LZ4Error) {
    switch e {
    case let .badHeader(offset, _, expected, found):
      context.report("lz4.bad_header", .error, at: offset, e.description, expected: expected, found: found)
    case let .dictionaryRequired(offset, id):
      context.report("lz4.dictionary", .error, at: offset, e.description, expected: "no dictionary", found: "\(id)")
    case let .headerChecksum(offset):
      context.report("lz4.header_checksum_mismatch", .error, at: offset, e.description)
    case let .contentSizeMismatch(offset, declared, decoded):
      context.report("lz4.content_size_mismatch", .error, at: offset, e.description, expected: "\(declared)", found: "\(decoded)")
    case let .contentChecksum(offset):
      context.report("lz4.content_checksum_mismatch", .error, at: offset, e.description)
    case let .blockChecksum(_, blockOffset):
      context.report("lz4.block_checksum_mismatch", .error, at: blockOffset, e.description)
    case let .corrupt(offset, blockOffset, name):
      context.report("lz4.corrupt", .error, at: blockOffset ?? offset, e.description, found: name)
    case let .truncated(offset, _):
      context.report("lz4.truncated", .error, at: offset, e.description + " (the layer ended after \(decoder.position) bytes)")
    case let .trailingGarbage(offset, count, _):
      context.report("lz4.trailing_garbage", .error, at: offset, e.description,
                     expected: "an LZ4 frame (04 22 4d 18) or end of stream", found: "\(count) bytes")
    }
  }
}
