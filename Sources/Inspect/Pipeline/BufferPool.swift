import Foundation

/// A fixed set of equal, 64-byte aligned buffers shared between threads: the only memory the
/// parallel read path holds for bytes in flight, so `count × size` bounds it whatever the input.
///
/// A buffer is taken by one producer, may be handed to several consumers (``hold(_:by:)``), and
/// returns to the pool when the last one releases it. ``take()`` blocks while every buffer is out:
/// that is the back-pressure that keeps a fast reader from running ahead of slow workers.
final class BufferPool: @unchecked Sendable {
  let size: Int
  private let condition = NSCondition()
  private let all: [UnsafeMutableRawBufferPointer]
  private var free: [UnsafeMutableRawBufferPointer]
  /// Holders still using each buffer that is out, by base address.
  private var holders: [UnsafeMutableRawPointer: Int] = [:]

  init(count: Int, size: Int) {
    self.size = size
    all = (0..<count).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64) }
    free = all
  }

  deinit { for b in all { b.deallocate() } }

  /// A free buffer (waits while none is), held once.
  func take() -> UnsafeMutableRawBufferPointer {
    condition.lock(); defer { condition.unlock() }
    while free.isEmpty { condition.wait() }
    let b = free.removeLast()
    holders[b.baseAddress!] = 1
    return b
  }

  /// Sets how many ``release(_:)`` calls return `buffer` to the pool (its consumers).
  func hold(_ buffer: UnsafeMutableRawBufferPointer, by count: Int) {
    condition.lock(); holders[buffer.baseAddress!] = count; condition.unlock()
  }

  /// One holder is done with `buffer`.
  func release(_ buffer: UnsafeMutableRawBufferPointer) {
    condition.lock(); defer { condition.unlock() }
    let key = buffer.baseAddress!
    let left = (holders[key] ?? 1) - 1
    if left > 0 { holders[key] = left; return }
    holders[key] = nil
    free.append(buffer)
    condition.broadcast()
  }
}
