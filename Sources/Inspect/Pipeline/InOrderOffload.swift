import Foundation

/// Runs a layer's costly pure work (decrypting and hashing an xbcrypt chunk, decoding a QuickLZ
/// block) ahead on helper threads, and hands the results back on the layers thread, in order,
/// ``lag`` items behind.
///
/// Determinism: a layer submits an item and concludes the item `lag` places earlier at exactly the
/// same points whether the work runs on a helper or inline (``VerifyOptions/parallel`` off, or no
/// helpers): the layers see the same sequence of events, so findings and digests never depend on
/// thread timing. The work closure must touch nothing but its own item; the conclude closure runs on
/// the layers thread and may do anything a layer does. Layers drain before they report (earlier
/// items report first) and when they finish; items may outlive the piece of input that completed
/// them (work closures own copies of their bytes, and offsets map through each layer's arrivals).
///
/// Items go to the helpers in batches of ``batchSize`` (one hand-over and one wake-up per batch:
/// per-chunk hand-overs cost more in context switches than a 64 KiB chunk costs to decrypt).
///
/// Memory: at most ``lag`` + 1 items in flight; callers offload only items up to a named size.
final class InOrderOffload {
  /// Items in flight before the oldest is concluded: three batches (two working, one filling).
  static let lag = 3 * batchSize
  static let batchSize = 8

  private final class Batch: @unchecked Sendable {
    var works: [() -> Void] = []
    var done = false
  }

  private struct Item {
    let batch: Batch
    let conclude: () -> Void
  }

  private let helpers: WorkerPool?
  private let condition = NSCondition()
  private var pending: [Item] = []
  private var head = 0
  private var filling = Batch()
  /// A conclude is running (it may report, and reporting drains: that must not reorder).
  private var concluding = false

  /// `helpers` nil: the work runs inline, at submission.
  init(helpers: WorkerPool?) { self.helpers = helpers }

  /// Queues `work` (on a helper) and `conclude` (later, on this thread, after every earlier item's).
  func submit(work: @escaping () -> Void, then conclude: @escaping () -> Void) {
    if helpers == nil {
      work()
      let batch = Batch()
      batch.done = true
      pending.append(Item(batch: batch, conclude: conclude))
    } else {
      filling.works.append(work)
      pending.append(Item(batch: filling, conclude: conclude))
      if filling.works.count == Self.batchSize { dispatch() }
    }
    while !concluding && pending.count - head > Self.lag { concludeOldest() }
  }

  /// Concludes every item in flight (before anything else of the layer happens in stream order).
  /// Called from inside a conclude it does nothing: the outer loop goes on in order.
  func drain() {
    guard !concluding else { return }
    while head < pending.count { concludeOldest() }
  }

  /// Hands the batch being filled to the helpers.
  private func dispatch() {
    let batch = filling
    filling = Batch()
    guard !batch.works.isEmpty, let helpers else { return }
    let condition = self.condition
    helpers.submit {
      for work in batch.works { work() }
      condition.lock(); batch.done = true; condition.broadcast(); condition.unlock()
    }
  }

  private func concludeOldest() {
    let item = pending[head]
    head += 1
    if head == pending.count { pending.removeAll(keepingCapacity: true); head = 0 }
    if item.batch === filling { dispatch() }
    if !item.batch.done {
      condition.lock()
      while !item.batch.done { condition.wait() }
      condition.unlock()
    }
    concluding = true
    item.conclude()
    concluding = false
  }
}
