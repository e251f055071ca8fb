#if canImport(Glibc)
import Glibc
#endif

/// A pull source of bytes: the outermost input (a file or a pipe).
///
/// ### Implementing
/// `read(into:)` fills a prefix of the buffer and returns how many bytes it wrote: fewer than asked is
/// normal (pipes deliver what they have); 0 means end of input and is returned again on later calls.
/// I/O failures throw ``IOError``.
public protocol ByteSource {
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int
}

/// An I/O failure, with the C `errno` and what we were doing.
public struct IOError: Error, Equatable, Sendable, CustomStringConvertible {
  public var operation: String
  public var errno: Int32
  public init(_ operation: String, errno: Int32) { self.operation = operation; self.errno = errno }
  public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}

/// Reads a file descriptor with `read(2)`, retrying `EINTR`. Does not own the descriptor.
public struct FileDescriptorSource: ByteSource {
  public let fd: Int32
  public init(fd: Int32) { self.fd = fd }
  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
    while true {
      let n = Glibc.read(fd, base, buffer.count)
      if n >= 0 { return n }
      if errno == EINTR { continue }
      throw IOError("read", errno: errno)
    }
  }
}

/// Serves an in-memory byte array, at most `step` bytes a call (a "drip" that imitates short reads).
public struct MemorySource: ByteSource {
  private let bytes: [UInt8]
  private var position = 0
  private let step: Int
  public init(_ bytes: [UInt8], step: Int = .max) { self.bytes = bytes; self.step = max(1, step) }
  public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> Int {
    let n = min(buffer.count, bytes.count - position, step)
    guard n > 0 else { return 0 }
    bytes.withUnsafeBytes { src in
      buffer.baseAddress!.copyMemory(from: src.baseAddress!.advanced(by: position), byteCount: n)
    }
    position += n
    return n
  }
}
