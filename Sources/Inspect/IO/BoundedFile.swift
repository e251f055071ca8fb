#if canImport(Glibc)
import Glibc
#endif
import Formats

/// Reads a small file whole, but never more than a bound: key files, policies and catalogs are
/// named by users and by other files (a policy's `keyFiles`), and a name like `/dev/zero`, a pipe
/// that never ends or a huge file by mistake must stop at `limit + 1` bytes, not exhaust memory.
public enum BoundedFile {
  public enum Failure: Error, Equatable, Sendable {
    /// open(2) or read(2) failed: the C error text.
    case unreadable(String)
    /// The file holds more than `limit` bytes.
    case tooLarge(limit: Int)
  }

  /// The file's bytes, if it holds at most `limit` of them.
  public static func read(_ path: String, limit: Int) -> Result<[UInt8], Failure> {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
    defer { close(fd) }
    var source = FileDescriptorSource(fd: fd)
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: min(limit + 1, 1 << 16))
    while true {
      let r = buffer.withUnsafeMutableBytes { p in Result { () throws(IOError) -> Int in try source.read(into: p) } }
      switch r {
      case .failure(let e): return .failure(.unreadable(String(cString: strerror(e.errno))))
      case .success(0): return .success(bytes)
      case .success(let n):
        guard bytes.count + n <= limit else { return .failure(.tooLarge(limit: limit)) }
        bytes += buffer[..<n]
      }
    }
  }
}
