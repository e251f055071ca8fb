/// The decode-ahead jobs of one layer: those it holds of its session's bound
/// (``Session/maxOffloadJobs``), and the concluded ones it keeps for reuse (no allocation per chunk
/// or block once warm).
///
/// A layer gives its jobs back when it finishes, and also when it is released unfinished: a layer
/// whose upstream broke (a truncated xbcrypt chunk over a `.qp` member) is never finished, since
/// what it was fed is incomplete, and without this its jobs would count against the bound for the
/// rest of the input. Layers capture themselves weakly in their conclude closures
/// (``InOrderOffload`` keeps those until the items conclude), so such a layer is in fact released.
final class OffloadJobPool<Job: AnyObject> {
  private let session: Session
  private var spare: [Job] = []
  /// Jobs taken from the session and not yet given back.
  private var held = 0

  init(session: Session) { self.session = session }

  /// A spare job, or a new one from `make` while the session's bound allows; nil (nothing taken)
  /// when the bound is reached or `make` fails: the layer then works inline.
  func take(orMake make: () -> Job?) -> Job? {
    if let job = spare.popLast() { return job }
    guard session.takeOffloadJob() else { return nil }
    guard let job = make() else {
      session.returnOffloadJobs(1)
      return nil
    }
    held += 1
    return job
  }

  /// Keeps a concluded job for reuse.
  func recycle(_ job: Job) { spare.append(job) }

  /// Gives every job back (the layer finished: all its items concluded).
  func returnAll() {
    session.returnOffloadJobs(held)
    held = 0
    spare.removeAll()
  }

  deinit { session.returnOffloadJobs(held) }
}
