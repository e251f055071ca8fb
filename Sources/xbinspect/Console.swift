#if canImport(Glibc)
import Glibc
#endif

/// Where a command writes: the real stdout/stderr, or strings (in-process tests).
final class Console {
  private(set) var capturedOut: [UInt8] = []
  private(set) var capturedErr: [UInt8] = []
  private let capture: Bool

  init(capture: Bool = false) { self.capture = capture }

  var stdoutText: String { String(decoding: capturedOut, as: UTF8.self) }
  var stderrText: String { String(decoding: capturedErr, as: UTF8.self) }

  func out(_ s: String) { write(Array((s + "\n").utf8), fd: 1) }
  func err(_ s: String) { write(Array((s + "\n").utf8), fd: 2) }
  /// Writes to stderr without a newline (a progress line redrawn in place).
  func errRaw(_ s: String) { write(Array(s.utf8), fd: 2) }

  /// Writes raw bytes to stdout; false on an I/O error (a full disk, a closed pipe).
  @discardableResult
  func writeStdout(_ bytes: [UInt8]) -> Bool { write(bytes, fd: 1) }

  @discardableResult
  private func write(_ bytes: [UInt8], fd: Int32) -> Bool {
    if capture {
      if fd == 1 { capturedOut += bytes } else { capturedErr += bytes }
      return true
    }
    return FileWriter.writeAll(bytes, fd: fd)
  }
}

/// Writing whole buffers to files and descriptors, reporting failure instead of ignoring it.
enum FileWriter {
  static func writeAll(_ bytes: [UInt8], fd: Int32) -> Bool {
    var done = 0
    return bytes.withUnsafeBytes { p in
      while done < p.count {
        let n = Glibc.write(fd, p.baseAddress! + done, p.count - done)
        if n < 0 { if errno == EINTR { continue }; return false }
        done += n
      }
      return true
    }
  }

  /// Creates or truncates `path` and writes `bytes`, checking the write and the close (ENOSPC
  /// often surfaces only at close or fsync).
  static func write(_ bytes: [UInt8], to path: String) -> String? {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return "cannot create \(path): \(String(cString: strerror(errno)))" }
    let ok = writeAll(bytes, fd: fd)
    let writeErrno = errno
    let closed = close(fd) == 0
    if !ok { return "cannot write \(path): \(String(cString: strerror(writeErrno)))" }
    if !closed { return "cannot finish writing \(path): \(String(cString: strerror(errno)))" }
    return nil
  }
}
