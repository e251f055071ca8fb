import Formats

/// Placeholder until the Tar verifier lands: identifies the layer, passes nothing on, and says that
/// its contents were not verified.
final class TarLayer: ByteConsumer {
  private let context: LayerContext
  private var count: UInt64 = 0
  init(context: LayerContext) {
    self.context = context
    context.member?.layers.append(context.layer)
  }
  func consume(_ bytes: UnsafeRawBufferPointer) { count += UInt64(bytes.count) }
  func finish() {
    context.report("layer.not_verified", .info, at: 0, "\(context.layer) layer identified (\(count) bytes); its contents are not verified yet")
  }
}
