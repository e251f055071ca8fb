/// The outcome of looking at the first bytes of a qpress structure.
public enum QpressParseStep<Value: Equatable & Sendable>: Equatable, Sendable {
  /// The structure is longer than the bytes given: call again with at least this many bytes.
  case needMore(Int)
  case complete(Value)
}
