import Formats

/// Verifies a gzip layer (RFC 1952; spec §7.2–7.3) and passes its decompressed bytes on.
///
/// Checks every member of the stream (concatenated members are valid, as `gzip -d` reads them):
/// header fields, deflate data, the trailer's CRC-32 and ISIZE against what was decompressed, and
/// what follows the last member. At the root the layer is transparent: offsets inside count in the
/// decompressed bytes, which is what `gzip -dc | xbstream -x` sees.
final class GzipLayer: ByteConsumer, GzipDecoderDelegate {
  private let context: LayerContext
  private let decoder = GzipDecoder()
  private let next: ByteConsumer
  private var fatal: GzipError?
  private var badTrailers = 0

  init(context: LayerContext) {
    self.context = context
    if context.parent == nil { context.isTransparent = true }
    next = context.peeled(suffix: ".gz", description: "gzip")
  }

  // MARK: ByteConsumer

  func consume(_ bytes: UnsafeRawBufferPointer) {
    guard fatal == nil else { return }
    do { try decoder.feed(bytes, to: self) } catch { fatal = error }
  }

  func finish() {
    if fatal == nil {
      do { try decoder.finish() } catch { fatal = error }
    }
    if let fatal { reportFatal(fatal) }
    context.member?.setFact("gzip.members", "\(decoder.memberCount)")
    next.finish()
  }

  // MARK: GzipDecoderDelegate

  func gzipMember(_ h: GzipMemberHeader) {
    context.deliveringOffset = h.offset
    if decoder.memberCount == 1, let name = h.name {
      context.member?.setFact("gzip.name", ByteText.displayPath(name))
    }
  }

  func gzipOutput(_ bytes: UnsafeRawBufferPointer) { next.consume(bytes) }

  func gzipMemberEnd(_ t: GzipDecoder.Trailer) {
    if !t.crcMatches {
      context.report("gzip.crc_mismatch", .error, at: t.memberOffset,
                     "CRC-32 in the trailer (at \(t.offset)) of the gzip member at \(t.memberOffset) does not match its \(t.decompressedSize) decompressed bytes",
                     expected: hex32(t.storedCRC), found: hex32(t.computedCRC))
    }
    if !t.sizeMatches {
      context.report("gzip.size_mismatch", .error, at: t.memberOffset,
                     "ISIZE in the trailer (at \(t.offset + 4)) of the gzip member at \(t.memberOffset) does not match the decompressed size modulo 2^32",
                     expected: "\(t.storedSize)", found: "\(UInt32(truncatingIfNeeded: t.decompressedSize)) (\(t.decompressedSize) bytes)")
    }
  }

  // MARK: Findings

  private func reportFatal(_ e: GzipError) {
    switch e {
    case let .badHeader(offset, field, found):
      context.report("gzip.bad_header", .error, at: offset, e.description, expected: expectedValue(field), found: found)
    case let .fieldTooLong(offset, _, limit):
      context.report("gzip.field_too_long", .error, category: .evaluation, at: offset,
                     e.description + "; the rest is not verified", expected: "≤ \(limit)")
    case let .headerCRCMismatch(offset, stored, computed):
      context.report("gzip.header_crc_mismatch", .error, at: offset, e.description,
                     expected: "0x" + String(stored, radix: 16), found: "0x" + String(computed, radix: 16))
    case let .corruptData(memberOffset, _, _):
      context.report("gzip.corrupt", .error, at: memberOffset, e.description)
    case let .truncated(memberOffset, _):
      context.report("gzip.truncated", .error, at: memberOffset,
                     e.description + " (the stream ended after \(decoder.position) bytes)")
    case let .trailingGarbage(offset, count, allZero):
      // Zero padding (tape blocking) is what `gzip -d` itself only warns about.
      context.report("gzip.trailing_garbage", allZero ? .warning : .error, at: offset, e.description,
                     expected: "a gzip member (1f 8b) or end of stream", found: "\(count) \(allZero ? "zero " : "")bytes")
    }
  }

  private func expectedValue(_ field: String) -> String {
    switch field {
    case "ID1 ID2": "1f 8b"
    case "CM": "8"
    default: "reserved bits 0"
    }
  }
}
