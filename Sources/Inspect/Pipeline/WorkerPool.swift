import Foundation

/// Threads that share one queue of jobs: each free thread takes the oldest job waiting.
///
/// With one thread the jobs run one after another in the order given, and each sees the state the
/// earlier ones left: the layers thread, the input digest and the member digests of a parallel run
/// are such workers, so the layers run exactly as on one thread, whatever the timing. Each job owns
/// the bytes it reads (a ``BufferPool`` buffer); memory is bounded by the pools, whose `take`
/// blocks while the workers are behind.
///
/// With several threads (the block helpers of ``InOrderOffload``, one pool for all layers of an
/// input) jobs start in the order given, not necessarily end in it. One queue rather than one per
/// thread: the layers thread waits for its oldest batch, and in a layered stream (`.qp.xbcrypt`)
/// the batches of both layers interleave; with a queue per thread the batch it waited for could sit
/// behind another layer's while the other thread ran dry.
final class WorkerPool: @unchecked Sendable {
  typealias Job = () -> Void

  private let condition = NSCondition()
  private var jobs: [Job] = []
  private var head = 0
  private var stopping = false
  private var running = 0

  /// Starts `threads` threads, named `name` (one) or `name-0`, `name-1`, … (≤ 15 bytes: the
  /// kernel's limit, so that `top -H` and profilers tell them apart). `stackSize` matches the main
  /// thread's default (layers recurse a few levels).
  init(name: String, threads: Int = 1, stackSize: Int = 8 << 20) {
    running = threads
    for i in 0..<threads {
      let threadName = threads == 1 ? name : "\(name)-\(i)"
      let thread = Thread { [self] in
        Self.nameCurrentThread(threadName)
        self.run()
      }
      thread.name = threadName
      thread.stackSize = stackSize
      thread.start()
    }
  }

  /// Queues `job` after every job given before it; one waiting thread wakes for it.
  func submit(_ job: @escaping Job) {
    condition.lock()
    jobs.append(job)
    condition.signal()
    condition.unlock()
  }

  /// Runs what is queued, then ends the threads and waits for them to end.
  func stop() {
    condition.lock()
    stopping = true
    condition.broadcast()
    while running > 0 { condition.wait() }
    condition.unlock()
  }

  /// Foundation keeps `Thread.name` to itself on Linux, and Swift cannot see glibc's
  /// `pthread_setname_np`; the kernel takes the name from `/proc/thread-self/comm` too.
  private static func nameCurrentThread(_ name: String) {
    #if os(Linux)
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(name.utf8.prefix(15))
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    #endif
  }

  private func run() {
    condition.lock()
    while true {
      while head == jobs.count && !stopping { condition.wait() }
      if head == jobs.count { break }
      let job = jobs[head]
      head += 1
      if head == jobs.count { jobs.removeAll(keepingCapacity: true); head = 0 }
      condition.unlock()
      job()
      condition.lock()
    }
    running -= 1
    condition.broadcast()
    condition.unlock()
  }
}
