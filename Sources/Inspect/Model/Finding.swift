/// How bad a finding is.
public enum Severity: String, Codable, Sendable, Comparable {
  case error, warning, info
  private var rank: Int { switch self { case .error: 0; case .warning: 1; case .info: 2 } }
  public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// Which exit code an error-severity finding calls for (DEVELOPERS.md table).
public enum FindingCategory: String, Codable, Sendable {
  /// The bytes are damaged or malformed: exit 1.
  case integrity
  /// Policy not met (audit): exit 4.
  case policy
  /// Something could not be checked (unreadable input, unsupported wrapper, no key): exit 3.
  case evaluation
}

/// One thing found about an input: a stable dotted code, where it is, and what was expected and found.
///
/// Offsets: `offset` counts bytes in the outermost input and points at the start of the failing
/// structure (a chunk's magic, a block's marker), or for an inner layer at the start of the outermost
/// structure that carried it (the enclosing xbstream chunk). `layerOffset` is the offset within the
/// layer's own byte stream (for a member: within the member's bytes at that layer).
public struct Finding: Codable, Sendable, Equatable {
  public var code: String
  public var severity: Severity
  public var category: FindingCategory
  public var layer: String
  /// The member as its container stores it (e.g. `test/t1.ibd.qp.xbcrypt`), sanitised for display.
  public var member: String?
  /// The member's final name once every layer is peeled (e.g. `test/t1.ibd`).
  public var memberFinal: String?
  public var offset: Int64?
  public var layerOffset: Int64?
  public var message: String
  public var expected: String?
  public var found: String?
  /// Internal link to the member record, resolved into `member`/`memberFinal` when the result is built.
  var memberID: Int?

  enum CodingKeys: String, CodingKey {
    case code, severity, category, layer, member, memberFinal, offset, layerOffset, message, expected, found
  }

  public init(code: String, severity: Severity, category: FindingCategory = .integrity, layer: String,
              member: String? = nil, offset: Int64? = nil, layerOffset: Int64? = nil, message: String,
              expected: String? = nil, found: String? = nil) {
    self.code = code; self.severity = severity; self.category = category; self.layer = layer
    self.member = member; self.offset = offset; self.layerOffset = layerOffset; self.message = message
    self.expected = expected; self.found = found
  }

  /// `error xbstream.crc_mismatch at 378 [sub/orders.ibd]: …` for the terminal.
  public var summaryLine: String {
    var s = "\(severity.rawValue) \(code)"
    if let offset { s += " at \(offset)" }
    if let layerOffset, layerOffset != offset { s += " (\(layer) offset \(layerOffset))" }
    if let member { s += " [\(member)]" }
    s += ": \(message)"
    if let expected, let found { s += " (expected \(expected), found \(found))" }
    return s
  }
}
