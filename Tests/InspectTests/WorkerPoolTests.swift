import Foundation
import Synchronization
import Testing
@testable import Inspect

/// The pipeline's worker threads: order on one thread, and names the kernel shows (`top -H`).
@Suite struct WorkerPoolTests {
  /// The kernel's name of the calling thread.
  static func currentThreadName() -> String {
    (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
      .trimmingCharacters(in: .newlines) ?? "?"
  }

  @Test func oneThreadRunsJobsInOrderUnderItsName() {
    let log = Mutex<[String]>([])
    let pool = WorkerPool(name: "xbi-test")
    for i in 0..<100 { pool.submit { log.withLock { $0.append("\(i) \(Self.currentThreadName())") } } }
    pool.stop()
    #expect(log.withLock { $0 } == (0..<100).map { "\($0) xbi-test" })
  }

  @Test func severalThreadsAreNumbered() {
    let names = Mutex<Set<String>>([])
    let pool = WorkerPool(name: "xbi-t", threads: 2)
    let gate = DispatchGroup()
    // Each job waits for the other, so the two run at once, one on each thread.
    for _ in 0..<2 { gate.enter() }
    for _ in 0..<2 {
      pool.submit {
        names.withLock { _ = $0.insert(Self.currentThreadName()) }
        gate.leave()
        gate.wait()
      }
    }
    pool.stop()
    #expect(names.withLock { $0 } == ["xbi-t-0", "xbi-t-1"])
  }

  @Test func longNamesAreCutToTheKernelsFifteenBytes() {
    let name = Mutex("")
    let pool = WorkerPool(name: "xbi-a-long-thread-name")
    pool.submit { name.withLock { $0 = Self.currentThreadName() } }
    pool.stop()
    #expect(name.withLock { $0 } == "xbi-a-long-thre")
  }
}
