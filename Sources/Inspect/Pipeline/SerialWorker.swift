import Foundation

/// A thread that runs the jobs given to it one after another, in the order they were given.
///
/// The parallel read path of ``Verifier`` is a few of these (the layers on one, the input digest on
/// another, member digests on a third). Each job owns the bytes it reads (a ``BufferPool`` buffer),
/// so no two threads ever touch the same state, and every job of one worker sees the state its
/// earlier jobs left: the layers run exactly as on one thread, whatever the timing. The queue holds
/// closures only; memory is bounded by the pools, whose `take` blocks while the workers are behind.
final class SerialWorker: @unchecked Sendable {
  typealias Job = () -> Void

  private let condition = NSCondition()
  private var jobs: [Job] = []
  private var head = 0
  private var busy = false
  private var stopping = false
  private var exited = false

  /// Starts the thread. `stackSize` matches the main thread's default (layers recurse a few levels).
  init(name: String, stackSize: Int = 8 << 20) {
    let thread = Thread { [self] in self.run() }
    thread.name = name
    thread.stackSize = stackSize
    thread.start()
  }

  /// Queues `job` after every job given before it.
  func submit(_ job: @escaping Job) {
    condition.lock()
    jobs.append(job)
    condition.broadcast()
    condition.unlock()
  }

  /// Returns once every job given so far has run.
  func waitUntilIdle() {
    condition.lock()
    while head < jobs.count || busy { condition.wait() }
    condition.unlock()
  }

  /// Runs what is queued, then ends the thread and waits for it to end.
  func stop() {
    condition.lock()
    stopping = true
    condition.broadcast()
    while !exited { condition.wait() }
    condition.unlock()
  }

  private func run() {
    condition.lock()
    while true {
      while head == jobs.count && !stopping { condition.wait() }
      if head == jobs.count { break }
      let job = jobs[head]
      head += 1
      if head == jobs.count { jobs.removeAll(keepingCapacity: true); head = 0 }
      busy = true
      condition.unlock()
      job()
      condition.lock()
      busy = false
      condition.broadcast()
    }
    exited = true
    condition.broadcast()
    condition.unlock()
  }
}
