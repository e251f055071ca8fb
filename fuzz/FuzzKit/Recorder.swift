import Formats

/// A delegate for every push parser of Formats that records what it is told: each structure as an
/// ``Event``, payload bytes as a running count (flushed as `.bytes(n)` before the next structure, so
/// the piece sizes a parser happens to use do not matter). The corruption sweep reads sample layouts
/// with it too.
public final class Recorder {
  public enum Event: Equatable {
    case bytes(Int)
    case xbstreamChunk(XbstreamChunkHeader), xbstreamEnd(UInt32)
    case xbcryptStart(Int64), xbcryptChunk(XbcryptChunkHeader), xbcryptEnd(UInt32)
    case qpressHeader(QpressArchiveHeader), qpressDirectory(QpressItem, [[UInt8]], Bool)
    case qpressFile(QpressItem, [[UInt8]]), qpressBlock(QpressBlockHeader, Int), qpressEnd(QpressFileTrailer)
    case gzipMember(GzipMemberHeader), gzipEnd(GzipDecoder.Trailer)
    case zstdFrame(ZstdFrameHeader), zstdEnd(ZstdFrameHeader, UInt64)
    case lz4Frame(LZ4FrameHeader), lz4OverMaximum(Int64, Int, Bool), lz4End(LZ4FrameHeader, UInt64, Bool)
    case tarEntry(TarEntry), tarEnd(TarEntry), tarNotice(TarNotice)
  }

  public private(set) var events: [Event] = []
  /// Payload bytes since the last structure event.
  public private(set) var pending = 0

  /// The structure events alone (payload counts dropped).
  public var structure: [Event] { events.filter { if case .bytes = $0 { false } else { true } } }

  public init() {}

  func add(_ e: Event) {
    if pending > 0 { events.append(.bytes(pending)); pending = 0 }
    events.append(e)
  }
  func count(_ n: Int) { pending += n }
}

extension Recorder: XbstreamParserDelegate {
  public func xbstreamChunk(_ header: XbstreamChunkHeader) { add(.xbstreamChunk(header)) }
  public func xbstreamPayload(_ bytes: UnsafeRawBufferPointer) { count(bytes.count) }
  public func xbstreamChunkEnd(_ header: XbstreamChunkHeader, computedChecksum: UInt32) { add(.xbstreamEnd(computedChecksum)) }
}

extension Recorder: XbcryptParserDelegate {
  public func xbcryptChunkStarts(at offset: Int64) { add(.xbcryptStart(offset)) }
  public func xbcryptChunk(_ header: XbcryptChunkHeader) { add(.xbcryptChunk(header)) }
  public func xbcryptCiphertext(_ bytes: UnsafeRawBufferPointer) { count(bytes.count) }
  public func xbcryptChunkEnd(_ header: XbcryptChunkHeader, computedChecksum: UInt32) { add(.xbcryptEnd(computedChecksum)) }
}

extension Recorder: QpressParserDelegate {
  public func qpressArchiveHeader(_ header: QpressArchiveHeader) { add(.qpressHeader(header)) }
  public func qpressDirectory(_ item: QpressItem, directories: [[UInt8]], isUnmatched: Bool) {
    add(.qpressDirectory(item, directories, isUnmatched))
  }
  public func qpressFileStart(_ item: QpressItem, directories: [[UInt8]]) { add(.qpressFile(item, directories)) }
  public func qpressBlock(_ block: QpressBlockHeader, packet: UnsafeRawBufferPointer) { add(.qpressBlock(block, packet.count)) }
  public func qpressFileEnd(_ trailer: QpressFileTrailer) { add(.qpressEnd(trailer)) }
}

extension Recorder: GzipDecoderDelegate {
  public func gzipMember(_ header: GzipMemberHeader) { add(.gzipMember(header)) }
  public func gzipOutput(_ bytes: UnsafeRawBufferPointer) { count(bytes.count) }
  public func gzipMemberEnd(_ trailer: GzipDecoder.Trailer) { add(.gzipEnd(trailer)) }
}

extension Recorder: ZstdDecoderDelegate {
  public func zstdFrame(_ header: ZstdFrameHeader) { add(.zstdFrame(header)) }
  public func zstdOutput(_ bytes: UnsafeRawBufferPointer) { count(bytes.count) }
  public func zstdFrameEnd(_ header: ZstdFrameHeader, decodedSize: UInt64) { add(.zstdEnd(header, decodedSize)) }
}

extension Recorder: LZ4DecoderDelegate {
  public func lz4Frame(_ header: LZ4FrameHeader) { add(.lz4Frame(header)) }
  public func lz4BlockOverMaximum(_ header: LZ4FrameHeader, blockOffset: Int64, size: Int, isStored: Bool) {
    add(.lz4OverMaximum(blockOffset, size, isStored))
  }
  public func lz4Output(_ bytes: UnsafeRawBufferPointer) { count(bytes.count) }
  public func lz4FrameEnd(_ header: LZ4FrameHeader, decodedSize: UInt64, isDecoded: Bool) { add(.lz4End(header, decodedSize, isDecoded)) }
}

extension Recorder: TarParserDelegate {
  public func tarEntry(_ entry: TarEntry) { add(.tarEntry(entry)) }
  public func tarData(_ bytes: UnsafeRawBufferPointer) { count(bytes.count) }
  public func tarEntryEnd(_ entry: TarEntry) { add(.tarEnd(entry)) }
  public func tarNotice(_ notice: TarNotice) { add(.tarNotice(notice)) }
}
