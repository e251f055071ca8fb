internal import CZlib

/// Owns one zlib raw-deflate stream (`inflateInit2(-15)`: no zlib or gzip wrapper, 32 KiB window),
/// freed exactly once. Output goes through a fixed buffer of ``GzipLimits/outputBufferSize``.
final class RawInflater {
  enum Step { case needInput, streamEnd(unusedInput: Int), failed(String) }

  private let stream: UnsafeMutablePointer<z_stream>
  private var output: [UInt8]
  private var live = false

  init() {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    output = [UInt8](repeating: 0, count: GzipLimits.outputBufferSize)
    live = inflateInit2_(stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
  }

  deinit {
    if live { inflateEnd(stream) }
    stream.deinitialize(count: 1)
    stream.deallocate()
  }

  /// Compressed bytes consumed since the last reset.
  var consumed: UInt64 { UInt64(stream.pointee.total_in) }

  func reset() { if live { inflateReset(stream) } }

  /// Inflates `input`, passing each piece of output (at most one buffer) to `sink`. Stops at the end
  /// of the deflate stream and says how many input bytes were not used.
  func inflate(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) -> Void) -> Step {
    guard live else { return .failed("zlib could not be initialised") }
    guard input.count > 0 else { return .needInput }
    var rest = input
    while true {
      // avail_in is 32-bit: hand zlib at most 1 GiB at a time.
      let n = min(rest.count, 1 << 30)
      stream.pointee.next_in = UnsafeMutablePointer(mutating: rest.baseAddress!.assumingMemoryBound(to: Bytef.self))
      stream.pointee.avail_in = uInt(n)
      let (ret, produced) = output.withUnsafeMutableBytes { out -> (Int32, Int) in
        stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(out.count)
        let ret = CZlib.inflate(stream, Z_NO_FLUSH)
        return (ret, out.count - Int(stream.pointee.avail_out))
      }
      if produced > 0 { output.withUnsafeBytes { sink(UnsafeRawBufferPointer(rebasing: $0[..<produced])) } }
      let used = n - Int(stream.pointee.avail_in)
      rest = UnsafeRawBufferPointer(rebasing: rest[used...])
      switch ret {
      case Z_STREAM_END: return .streamEnd(unusedInput: rest.count)
      case Z_OK, Z_BUF_ERROR:
        // Z_BUF_ERROR: no progress possible; with input left and output room that cannot happen.
        if rest.isEmpty && produced < output.count { return .needInput }
        if used == 0 && produced == 0 { return .failed("no progress") }
      default:
        let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(ret)"
        return .failed(message)
      }
    }
  }
}
