import Foundation

/// Runs a layer's costly pure work (decrypting and hashing an xbcrypt chunk, decoding a QuickLZ
/// block) ahead on helper threads, and hands the results back on the layers thread, in order,
/// ``lag`` items behind.
///
/// Determinism: a layer submits an item and receives the item `lag` places earlier at exactly the
/// same points whether the work runs on a helper or inline (``VerifyOptions/parallel`` off, or no
/// helpers): the layers see the same sequence of events, so findings and digests never depend on
/// thread timing. The work closure must touch nothing but its own item; the conclude closure runs on
/// the layers thread and may do anything a layer does.
///
/// Memory: at most ``lag`` + 1 items in flight; callers offload only items up to a named size.
final class InOrderOffload {
  /// Items in flight before the oldest is concluded.
  static let lag = 6

  private final class Item: @unchecked Sendable {
    let work: () -> Void
    let conclude: () -> Void
    var done = false
    init(work: @escaping () -> Void, conclude: @escaping () -> Void) { self.work = work; self.conclude = conclude }
  }

  private let helpers: [SerialWorker]
  private let condition = NSCondition()
  private var pending: [Item] = []
  private var head = 0
  private var next = 0
  /// A conclude is running (it may report, and reporting drains: that must not reorder).
  private var concluding = false

  /// `helpers` empty: the work runs inline, at submission.
  init(helpers: [SerialWorker]) { self.helpers = helpers }

  /// Queues `work` (on a helper) and `conclude` (later, on this thread, after every earlier item's).
  func submit(work: @escaping () -> Void, then conclude: @escaping () -> Void) {
    let item = Item(work: work, conclude: conclude)
    pending.append(item)
    if helpers.isEmpty {
      work()
      item.done = true
    } else {
      let helper = helpers[next % helpers.count]
      next &+= 1
      let condition = self.condition
      helper.submit {
        item.work()
        condition.lock(); item.done = true; condition.broadcast(); condition.unlock()
      }
    }
    while !concluding && pending.count - head > Self.lag { concludeOldest() }
  }

  /// Concludes every item in flight (before anything else of the layer happens in stream order).
  /// Called from inside a conclude it does nothing: the outer loop goes on in order.
  func drain() {
    guard !concluding else { return }
    while head < pending.count { concludeOldest() }
  }

  private func concludeOldest() {
    let item = pending[head]
    head += 1
    if head == pending.count { pending.removeAll(keepingCapacity: true); head = 0 }
    condition.lock()
    while !item.done { condition.wait() }
    condition.unlock()
    concluding = true
    item.conclude()
    concluding = false
  }
}
