import Foundation

/// Threads that share one queue of jobs: each free thread takes the oldest job waiting. The block
/// helpers of a parallel run (``InOrderOffload``) are one pool for all layers of the input.
///
/// One queue rather than one per thread: the layers thread waits for its oldest batch, and in a
/// layered stream (`.qp.xbcrypt`) the batches of both layers interleave; with a queue per thread
/// the batch it waits for could sit behind another layer's while the other thread ran dry. Jobs
/// start in the order given (not necessarily end in it): ``InOrderOffload`` puts results in order.
final class HelperPool: @unchecked Sendable {
  typealias Job = () -> Void

  private let condition = NSCondition()
  private var jobs: [Job] = []
  private var head = 0
  private var stopping = false
  private var running = 0

  /// Starts `count` threads named `name-0`, `name-1`, ….
  init(name: String, count: Int) {
    running = count
    for i in 0..<count {
      let thread = Thread { [self] in self.run() }
      thread.name = "\(name)-\(i)"
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
