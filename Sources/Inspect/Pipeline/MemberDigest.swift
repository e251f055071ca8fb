import Formats

/// The SHA-256 of one member's final bytes, computed inline or on the session's digest thread
/// (``DigestOffload``). The result is the same either way.
final class MemberDigest {
  private let sha = SHA256()
  private let offload: DigestOffload?

  init(offload: DigestOffload?) { self.offload = offload }

  func update(_ bytes: UnsafeRawBufferPointer) {
    if let offload { offload.update(sha, bytes) } else { sha.update(bytes) }
  }

  /// Finishes the digest; `done` gets the lowercase hex (on the digest thread when offloaded, where
  /// it runs before ``DigestOffload/stop()`` returns).
  func finish(_ done: @escaping (String) -> Void) {
    if let offload { offload.finish(sha, done) } else { done(sha.finalize().hexString) }
  }
}

/// The digest thread of one run (``Session/digestOffload``): member bytes are copied into pool
/// buffers, several members' pieces side by side, and hashed in order on a thread of its own while
/// the layers go on.
///
/// Nothing is held per member (interleaved xbstream members, or members whose pipeline is never
/// finished, cannot exhaust the pool): the layers thread fills one buffer at a time, with the list
/// of which digest each piece belongs to, and hands it over when full. Memory: ``bufferCount`` ×
/// ``bufferSize`` plus at most ``maxSteps`` piece records.
final class DigestOffload: @unchecked Sendable {
  static let bufferCount = 4
  static let bufferSize = 1 << 20
  /// Pieces recorded in one buffer before it is handed over anyway (1-byte drip feeds).
  static let maxSteps = 4096

  private enum Step {
    case bytes(SHA256, offset: Int, count: Int)
    case finish(SHA256, (String) -> Void)
  }

  private let worker = WorkerPool(name: "xbi-mem-digest")
  private let pool = BufferPool(count: DigestOffload.bufferCount, size: DigestOffload.bufferSize)
  // Touched by the layers thread only.
  private var current: UnsafeMutableRawBufferPointer?
  private var used = 0
  private var steps: [Step] = []

  /// Queues `bytes` (copied) for `sha`.
  func update(_ sha: SHA256, _ bytes: UnsafeRawBufferPointer) {
    var rest = bytes
    while !rest.isEmpty {
      let buffer = current ?? pool.take()
      current = buffer
      let n = min(rest.count, buffer.count - used)
      (buffer.baseAddress! + used).copyMemory(from: rest.baseAddress!, byteCount: n)
      steps.append(.bytes(sha, offset: used, count: n))
      used += n
      rest = UnsafeRawBufferPointer(rebasing: rest[n...])
      if used == buffer.count || steps.count >= Self.maxSteps { handOver() }
    }
  }

  /// Queues the end of `sha`'s bytes: `done` gets its hex digest.
  func finish(_ sha: SHA256, _ done: @escaping (String) -> Void) {
    steps.append(.finish(sha, done))
    if steps.count >= Self.maxSteps { handOver() }
  }

  /// Hashes everything queued, runs the `done` closures, and ends the thread.
  func stop() {
    handOver()
    worker.stop()
  }

  /// Gives the buffer being filled, with its piece list, to the digest thread.
  private func handOver() {
    guard !steps.isEmpty || current != nil else { return }
    let buffer = current, steps = self.steps, pool = self.pool
    worker.submit {
      for step in steps {
        switch step {
        case let .bytes(sha, offset, count):
          sha.update(UnsafeRawBufferPointer(rebasing: buffer![offset..<(offset + count)]))
        case let .finish(sha, done):
          done(sha.finalize().hexString)
        }
      }
      if let buffer { pool.release(buffer) }
    }
    current = nil
    used = 0
    self.steps = []
  }
}
