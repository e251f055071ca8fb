import Formats

/// Where a layer sits: its member, its parent layer, the session; how it reports findings and
/// hands its peeled bytes on.
///
/// Offsets: a layer sets ``deliveringOffset`` (in its own coordinates) to the start of the
/// structure whose bytes it is about to pass downstream; a finding in a child layer is then placed
/// at the outermost structure that carried it (``absoluteOffset(_:)``).
public final class LayerContext {
  public let session: Session
  public let parent: LayerContext?
  public let member: MemberRecord?
  public let depth: Int
  /// Name used in findings (`xbstream`, `xbcrypt`, …); set when the layer is known.
  public var layer: String = "input"
  /// Layer offset of the structure whose bytes are being passed downstream now.
  public var deliveringOffset: Int64 = 0
  /// The layer kind found here (set by the sniffer).
  public internal(set) var kind: LayerKind?
  /// A whole-input wrapper (gzip, zstd, lz4 around everything) whose compressed offsets mean
  /// nothing to a user: offsets below it count in its decompressed bytes instead.
  public var isTransparent = false
  /// Bytes skipped before this (root) layer starts: leading log text.
  public var baseOffset: Int64 = 0

  public var options: VerifyOptions { session.options }

  init(session: Session, parent: LayerContext?, member: MemberRecord?, depth: Int) {
    self.session = session; self.parent = parent; self.member = member; self.depth = depth
  }

  /// Bytes this layer has received so far.
  private var received: Int64 = 0
  /// Where runs of this layer's bytes came from: (first layer offset, parent's delivering offset).
  /// Bounded: structures are bounded by the layers' limits, so old runs are never asked for.
  private var arrivals: [(start: Int64, parentOffset: Int64)] = []
  static let maxArrivals = 256

  /// Notes that `count` more bytes arrived (called by the sniffer, every layer's first stage).
  func noteArrival(_ count: Int) {
    if let parent, arrivals.last?.parentOffset != parent.deliveringOffset {
      arrivals.append((received, parent.deliveringOffset))
      if arrivals.count > Self.maxArrivals { arrivals.removeFirst(Self.maxArrivals / 2) }
    }
    received += Int64(count)
  }

  /// Offset in the outermost input of the structure at `layerOffset` in this layer: the outermost
  /// structure whose bytes carried that offset here (e.g. the xbstream chunk).
  public func absoluteOffset(_ layerOffset: Int64) -> Int64 {
    guard let parent else { return layerOffset + baseOffset }
    if parent.isTransparent && parent.parent == nil { return layerOffset }
    let carrier = arrivals.last(where: { $0.start <= layerOffset })?.parentOffset
      ?? arrivals.first?.parentOffset ?? parent.deliveringOffset
    return parent.absoluteOffset(carrier)
  }

  /// Records a finding about this layer's member. `at` is the offset in this layer.
  public func report(_ code: String, _ severity: Severity, category: FindingCategory = .integrity,
                     at layerOffset: Int64?, member: MemberRecord? = nil, _ message: String,
                     expected: String? = nil, found: String? = nil) {
    var f = Finding(code: code, severity: severity, category: category, layer: layer,
                    offset: layerOffset.map { absoluteOffset($0) }, layerOffset: layerOffset,
                    message: message, expected: expected, found: found)
    f.memberID = (member ?? self.member)?.id
    session.add(f)
  }

  /// The consumer for this member's bytes once this layer is peeled: sniffed afresh.
  /// `suffix` is stripped from the member's name if present; `description` joins the layer stack.
  public func peeled(suffix: String?, description: String) -> ByteConsumer {
    if let member {
      member.layers.append(description)
      if let suffix { member.stripSuffix(suffix) }
    }
    return LayerSniffer(context: LayerContext(session: session, parent: self, member: member, depth: depth + 1))
  }

  /// Marks this layer's member as a container (its bytes hold other members) and records the layer.
  public func becomeContainer(description: String) {
    member?.role = .container
    member?.layers.append(description)
  }

  /// A new member inside this container layer, and the consumer for its bytes.
  /// Returns nil past ``VerifyLimits/maxMembers`` (then reported once).
  public func openMember(storedPath: String) -> (MemberRecord, ByteConsumer)? {
    guard let record = session.newMember(storedPath: storedPath, parent: member) else { return nil }
    if depth == 0 { session.progress.set(member: storedPath) }
    let child = LayerContext(session: session, parent: self, member: record, depth: depth + 1)
    return (record, LayerSniffer(context: child))
  }

  /// The findings reported so far for this layer's member (for verdicts that depend on the layers below).
  public func memberFindings(atLeast severity: Severity = .error) -> [Finding] {
    guard let member else { return [] }
    return session.findings(for: member, atLeast: severity)
  }
}
