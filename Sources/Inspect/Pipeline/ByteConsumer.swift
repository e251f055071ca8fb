/// A stage of a member's pipeline: receives one layer's bytes in order, in pieces of any size.
///
/// ### Implementing
/// `consume` may be called any number of times with pieces of any size (including 1 byte); the
/// pointer is valid only during the call. `finish` is called exactly once, after the last piece, and
/// must finish everything downstream. Problems become findings through the stage's
/// ``LayerContext``; a stage never throws and never stops the run.
public protocol ByteConsumer: AnyObject {
  func consume(_ bytes: UnsafeRawBufferPointer)
  func finish()
}

extension ByteConsumer {
  public func consume(_ bytes: [UInt8]) { bytes.withUnsafeBytes { consume($0) } }
}

/// Swallows bytes: what follows a fatal error in a layer, or an unsupported layer's contents.
public final class DiscardingConsumer: ByteConsumer {
  public private(set) var count: UInt64 = 0
  public init() {}
  public func consume(_ bytes: UnsafeRawBufferPointer) { count += UInt64(bytes.count) }
  public func finish() {}
}
