/// One item of a qpress archive (spec §3.1): a directory entry, a directory exit, or a file header.
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 1 | tag: `D` enter directory, `U` leave directory, `F` file |
/// | 1 | 4 | name length n (u32 LE; `D` and `F` only) |
/// | 5 | n | name (a bare entry name, no `/`) |
/// | 5 + n | 1 | NUL (not counted in n) |
///
/// An `F` item is followed by its blocks (``QpressBlockHeader``) and a ``QpressFileTrailer``.
public struct QpressItem: Equatable, Sendable {
  public enum Kind: UInt8, Equatable, Sendable {
    case enterDirectory = 0x44  // D
    case leaveDirectory = 0x55  // U
    case file = 0x46            // F
  }

  /// Archive offset of the tag byte.
  public var offset: Int64
  public var kind: Kind
  /// The name bytes (empty for `U`).
  public var name: [UInt8]
  /// Whether the byte after the name is the NUL the format requires (qpress never checks it).
  public var isTerminated: Bool
  /// Bytes from the tag to the end of the item.
  public var length: Int

  public init(offset: Int64, kind: Kind, name: [UInt8] = [], isTerminated: Bool = true, length: Int = 1) {
    self.offset = offset; self.kind = kind; self.name = name; self.isTerminated = isTerminated; self.length = length
  }

  /// Parses an item from its first bytes. Pure.
  ///
  /// - Throws: ``QpressError/badItemTag(offset:tag:)``, ``QpressError/nameTooLong(offset:length:)``.
  public static func parse(_ bytes: [UInt8], at offset: Int64) throws(QpressError) -> QpressParseStep<QpressItem> {
    guard let tag = bytes.first else { return .needMore(1) }
    guard let kind = Kind(rawValue: tag) else { throw .badItemTag(offset: offset, tag: tag) }
    if kind == .leaveDirectory { return .complete(QpressItem(offset: offset, kind: kind)) }
    guard bytes.count >= 5 else { return .needMore(5) }
    let n = bytes.le32(at: 1)
    guard n <= QpressLimits.maxNameLength else { throw .nameTooLong(offset: offset, length: n) }
    let total = 6 + Int(n)
    guard bytes.count >= total else { return .needMore(total) }
    return .complete(QpressItem(offset: offset, kind: kind, name: Array(bytes[5..<(5 + Int(n))]),
                                isTerminated: bytes[5 + Int(n)] == 0, length: total))
  }
}
