/// The decode-ahead jobs one layer holds of its session's bound (``Session/maxOffloadJobs``).
///
/// A layer gives them back when it finishes, and also when it is released unfinished: a layer whose
/// upstream broke (a truncated xbcrypt chunk over a `.qp` member) is never finished, since what it
/// was fed is incomplete, and without this its jobs would count against the bound for the rest of
/// the input. Layers capture themselves weakly in their conclude closures (``InOrderOffload``
/// keeps those until the items conclude), so such a layer is in fact released.
final class OffloadJobGrant {
  private let session: Session
  /// Jobs taken and not yet given back.
  private(set) var held = 0

  init(session: Session) { self.session = session }

  /// Takes one more job; false when the session's jobs are all taken (the layer then works inline).
  func take() -> Bool {
    guard session.takeOffloadJob() else { return false }
    held += 1
    return true
  }

  /// Gives back the job just taken (it could not be set up).
  func giveBackOne() {
    precondition(held > 0)
    session.returnOffloadJobs(1)
    held -= 1
  }

  /// Gives every job back (the layer finished: all its items concluded).
  func returnAll() {
    session.returnOffloadJobs(held)
    held = 0
  }

  deinit { returnAll() }
}
