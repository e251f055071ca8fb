/// What the engine learns about one member (a file of the backup) as its layers are peeled.
///
/// A record starts with the name its container gives it; peeling a layer strips that layer's suffix
/// (`t1.ibd.qp.xbcrypt` → `t1.ibd.qp` → `t1.ibd`). When its bytes turn out to be a container (an
/// xbstream inside qpress, a tar inside gzip), the record becomes a ``Role/container`` and the
/// container's members get records of their own.
public final class MemberRecord {
  public enum Role: String, Codable, Sendable { case content, container }
  public enum Fate: String, Codable, Sendable {
    case kept
    /// Deleted by a MariaDB `D` chunk.
    case removed
    /// Replaced by a later copy (MariaDB REWRITE, or a duplicate member).
    case superseded
  }

  public let id: Int
  /// Name as stored by the container, escaped for display.
  public internal(set) var storedPath: String
  /// The current (after peeling: final) name, escaped for display, without a leading `./`.
  public internal(set) var path: String
  public internal(set) var role: Role = .content
  public internal(set) var fate: Fate = .kept
  /// Layers peeled from the outside in, e.g. `["xbstream", "xbcrypt v3", "qpress L1"]`.
  public internal(set) var layers: [String] = []
  /// The first layer found inside the member's container bytes (`plain` when none).
  public internal(set) var innerLayer: String?
  /// Bytes the container stored for the member (for xbstream: payload bytes, holes excluded).
  public internal(set) var storedSize: UInt64 = 0
  /// Final content size and SHA-256, once every layer is peeled (nil until then, or without digests).
  public internal(set) var size: UInt64?
  public internal(set) var sha256: String?
  /// Why no digest could be given (e.g. a backward MariaDB seek), if so.
  public internal(set) var digestNote: String?
  public internal(set) var chunkCount = 0
  public internal(set) var isSparse = false
  /// Name before a MariaDB rename.
  public internal(set) var renamedFrom: String?
  /// Checks of inner layers that passed (e.g. "qpress Adler-32", "InnoDB page checksums"): what
  /// proves a v1/v2 key right, where the format itself cannot.
  public internal(set) var proofs: [String] = []
  /// Facts per layer for the report (e.g. `xbcrypt.keyFingerprint`), keyed by dotted name.
  public internal(set) var facts: [String: String] = [:]
  /// Parent container record, if any.
  public let parentID: Int?

  init(id: Int, storedPath: String, parentID: Int?) {
    self.id = id
    self.storedPath = storedPath
    self.parentID = parentID
    self.path = MemberRecord.canonical(storedPath)
  }

  /// Strips a leading `./` (repeatedly) so that `./x` and `x` name the same file.
  static func canonical(_ p: String) -> String {
    var s = Substring(p)
    while s.hasPrefix("./") { s = s.dropFirst(2) }
    return String(s)
  }

  /// Removes `suffix` from the current name if it ends with it (a peeled layer's suffix).
  @discardableResult
  func stripSuffix(_ suffix: String) -> Bool {
    guard !suffix.isEmpty, path.hasSuffix(suffix), path.count > suffix.count else { return false }
    path = String(path.dropLast(suffix.count))
    return true
  }

  public func setFact(_ key: String, _ value: String) { facts[key] = value }
  public func addProof(_ proof: String) { if !proofs.contains(proof) { proofs.append(proof) } }
  public func setDigest(size: UInt64, sha256: String?) { self.size = size; self.sha256 = sha256 }
  public func setDigestNote(_ note: String) { digestNote = note }
}
