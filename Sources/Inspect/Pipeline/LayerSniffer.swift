import Formats

/// The first stage of every member's pipeline: holds the first ``VerifyLimits/sniffLength`` bytes,
/// recognises the layer by magic (``LayerKind/detect(_:)``), checks the name's suffix against it
/// (rule X19) and hands everything on to the verifier of that layer.
final class LayerSniffer: ByteConsumer {
  private let context: LayerContext
  private var prefix: [UInt8] = []
  private var next: ByteConsumer?
  private var window = VerifyLimits.sniffLength

  init(context: LayerContext) { self.context = context }

  func consume(_ bytes: UnsafeRawBufferPointer) {
    context.noteArrival(bytes.count)
    gather(bytes)
  }

  private func gather(_ bytes: UnsafeRawBufferPointer) {
    if let next { next.consume(bytes); return }
    let take = min(bytes.count, window - prefix.count)
    prefix.append(contentsOf: bytes[..<take])
    guard prefix.count >= window else { return }
    if window < VerifyLimits.maxLeadingText, context.parent == nil, LayerKind.detect(prefix) == .plain,
       ByteText.looksLikeText(prefix) {
      // Log text at the start of a stream: look further for the magic it hides.
      window = VerifyLimits.maxLeadingText
      if take < bytes.count { gather(UnsafeRawBufferPointer(rebasing: bytes[take...])) }
      return
    }
    let chosen = decide()
    chosen.consume(prefix)
    prefix = []
    if take < bytes.count { chosen.consume(UnsafeRawBufferPointer(rebasing: bytes[take...])) }
  }

  func finish() {
    if next == nil {
      let chosen = decide()
      if !prefix.isEmpty { chosen.consume(prefix) }
      prefix = []
    }
    next?.finish()
  }

  /// The first xbstream, xbcrypt or qpress magic after a run of text, with its offset.
  static func magicAfterText(_ bytes: [UInt8]) -> (Int, LayerKind)? {
    var k = 0
    while k < bytes.count, bytes[k] == 9 || bytes[k] == 10 || bytes[k] == 13 || (0x20..<0x7F).contains(bytes[k]) {
      k += 1
      if k + 8 <= bytes.count {
        let kind = LayerKind.detect(Array(bytes[k..<(k + 8)]))
        if [.xbstream, .xbcrypt, .qpress].contains(kind) { return (k, kind) }
      }
    }
    return nil
  }

  private func decide() -> ByteConsumer {
    var kind = LayerKind.detect(prefix)
    if kind == .plain, context.parent == nil, let cut = LayerKind.truncatedMagic(prefix) { kind = cut }
    if prefix.isEmpty {
      // Empty bytes are a valid xbcrypt, zstd or lz4 layer (no chunk, no frame) when the name says so.
      let promised = LayerKind.promised(by: context.member?.path ?? "")
      if let promised, [.xbcrypt, .zstd, .lz4, .xbstream].contains(promised) {
        kind = promised
      } else if context.parent == nil {
        context.layer = "input"
        context.report("input.empty", .warning, at: 0, "empty input: no bytes, no members")
        next = DiscardingConsumer()
        return next!
      }
    }
    let layer = make(kind)
    next = layer
    return layer
  }

  private func make(_ kind: LayerKind) -> ByteConsumer {
    let c = context
    let isRoot = c.parent == nil
    let name = c.member?.path ?? ""
    if c.member?.innerLayer == nil, !isRoot { c.member?.innerLayer = kind.rawValue }
    c.kind = kind

    if c.depth > VerifyLimits.maxLayerDepth {
      c.layer = kind.rawValue
      c.report("limit.layer_depth", .error, category: .evaluation, at: 0,
               "layers nested more than \(VerifyLimits.maxLayerDepth) deep; the rest is not verified")
      return DiscardingConsumer()
    }
    // X19: a suffix that promises another layer than the bytes hold.
    if let promised = LayerKind.promised(by: name), promised != kind {
      c.layer = promised.rawValue
      let found = kind == .plain ? "no known magic (\(ByteText.preview(Array(prefix.prefix(8)))))" : kind.rawValue
      c.report("layer.suffix_mismatch", isRoot ? .warning : .error, at: 0,
               "name \(ByteText.preview(Array(name.utf8))) promises \(promised.rawValue) but the bytes are \(found)",
               expected: promised.rawValue, found: kind.rawValue)
    }
    // A wrapper directly inside the same wrapper: no writer does this and restore pipelines peel one.
    if kind.isWrapper, let parentKind = c.parent?.kind, parentKind == kind {
      c.layer = kind.rawValue
      c.report("layer.nested_wrapper", .error, at: 0,
               "\(kind.rawValue) inside \(kind.rawValue): a restore pipeline peels one layer and would not find the backup")
    }
    c.layer = kind.rawValue
    switch kind {
    case .xbstream: return XbstreamLayer(context: c)
    case .xbcrypt: return XbcryptLayer(context: c)
    case .qpress: return QpressLayer(context: c)
    case .gzip: return GzipLayer(context: c)
    case .zstd: return ZstdLayer(context: c)
    case .lz4: return LZ4Layer(context: c)
    case .tar: return TarLayer(context: c)
    case .xz, .bzip2, .opensslEnc:
      let what = kind == .opensslEnc
        ? "an OpenSSL enc container (\"Salted__\"): decrypt it with openssl first; it is not xbcrypt"
        : "a \(kind.rawValue) wrapper, which this tool does not read: decompress it first"
      c.report("layer.unsupported", .error, category: .evaluation, at: 0, "\(what); nothing inside was verified",
               found: kind.rawValue)
      c.member?.layers.append(kind.rawValue)
      return DiscardingConsumer()
    case .plain:
      if isRoot, let (k, found) = Self.magicAfterText(prefix) {
        // Text (a log line) before a real magic: say so, then verify what follows from there.
        c.layer = found.rawValue
        let code = found == .xbstream ? "xbstream.bad_magic" : "input.leading_text"
        c.report(code, .error, at: 0,
                 "\(k) bytes of printable text before the first \(found.rawValue) magic at offset \(k) (starting \(ByteText.preview(Array(prefix.prefix(24))))): log output was written into the backup stream",
                 expected: found == .xbstream ? "XBSTCK01" : found.rawValue, found: ByteText.preview(Array(prefix.prefix(8))))
        prefix.removeFirst(k)
        c.baseOffset = Int64(k)
        return make(found)
      }
      if isRoot {
        c.layer = "input"
        c.report("input.unknown_format", .error, category: .evaluation, at: 0,
                 "no known format: the input starts with \(ByteText.preview(Array(prefix.prefix(16)))), not an xbstream, xbcrypt, qpress, gzip, zstd, lz4 or tar magic")
        return DiscardingConsumer()
      }
      c.layer = "content"
      return ContentSink(context: c)
    }
  }
}
