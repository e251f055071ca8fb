import Foundation
import Formats

/// Hashes the input's blocks with SHA-256 on a thread of its own, so that the input digest (the
/// slowest step, ~1.5 GB/s a core) overlaps with parsing on the reading thread.
///
/// Owns a fixed pool of read buffers (``bufferCount`` × ``Verifier/readBlockSize``): the reader takes
/// a free buffer, fills it, hands it here and parses it meanwhile; the hasher gives it back when done.
/// Memory is bounded by the pool whatever the input size.
final class BlockHasher: @unchecked Sendable {
  static let bufferCount = 4

  private let condition = NSCondition()
  private var free: [UnsafeMutableRawBufferPointer]
  private var pending: [(UnsafeMutableRawBufferPointer, Int)] = []
  private var finished = false
  private var result: [UInt8]?
  private let digest = SHA256()
  private let all: [UnsafeMutableRawBufferPointer]
  private var thread: Thread?

  init(blockSize: Int) {
    all = (0..<Self.bufferCount).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64) }
    free = all
    let t = Thread { [unowned self] in self.work() }
    t.stackSize = 1 << 20
    thread = t
    t.start()
  }

  deinit { for b in all { b.deallocate() } }

  /// A buffer to read into (waits while all are being hashed).
  func takeBuffer() -> UnsafeMutableRawBufferPointer {
    condition.lock(); defer { condition.unlock() }
    while free.isEmpty { condition.wait() }
    return free.removeLast()
  }

  /// Queues the first `count` bytes of `buffer` for hashing; the buffer returns to the pool after.
  func hash(_ buffer: UnsafeMutableRawBufferPointer, count: Int) {
    condition.lock()
    pending.append((buffer, count))
    condition.broadcast()
    condition.unlock()
  }

  /// Gives back a buffer that holds nothing to hash (end of input).
  func giveBack(_ buffer: UnsafeMutableRawBufferPointer) {
    condition.lock(); free.append(buffer); condition.broadcast(); condition.unlock()
  }

  /// Waits for the queued blocks and returns the digest of everything hashed.
  func finish() -> [UInt8] {
    condition.lock()
    finished = true
    condition.broadcast()
    while result == nil { condition.wait() }
    let r = result!
    condition.unlock()
    return r
  }

  private func work() {
    while true {
      condition.lock()
      while pending.isEmpty && !finished { condition.wait() }
      if pending.isEmpty && finished {
        result = digest.finalize()
        condition.broadcast()
        condition.unlock()
        return
      }
      let (buffer, count) = pending.removeFirst()
      condition.unlock()
      digest.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
      condition.lock()
      free.append(buffer)
      condition.broadcast()
      condition.unlock()
    }
  }
}
