/// A budget for the large buffers layers hold per member (a held xbcrypt chunk, a qpress packet, a
/// zstd window, an lz4 block), shared by every member of one input.
///
/// Each buffer is bounded by its layer's limit, but members of an xbstream interleave: a stream
/// that opens thousands of members and feeds each a part of a large block would make memory grow
/// with the input. Layers reserve before they hold more than ``threshold`` bytes and release when
/// done; when the budget is spent the layer reports `limit.memory` and stops decoding that member.
public final class MemoryBudget {
  /// Total bytes of large buffers held at once by one input's layers.
  public static let limit = 512 << 20
  /// Buffers below this size are not counted (one per open member at most, bounded by the number
  /// of open members).
  public static let threshold = 1 << 20

  public private(set) var inUse = 0
  public private(set) var peak = 0

  /// The budget of `session` (one per input), created on first use.
  public static func of(_ session: Session) -> MemoryBudget {
    if let b = session.sharedState["memoryBudget"] as? MemoryBudget { return b }
    let b = MemoryBudget()
    session.sharedState["memoryBudget"] = b
    return b
  }

  /// Takes `bytes` from the budget; false (and nothing taken) when that would exceed ``limit``.
  public func reserve(_ bytes: Int) -> Bool {
    guard bytes >= 0, inUse <= Self.limit - bytes else { return false }
    inUse += bytes
    peak = max(peak, inUse)
    return true
  }

  public func release(_ bytes: Int) { inUse = max(0, inUse - bytes) }
}
