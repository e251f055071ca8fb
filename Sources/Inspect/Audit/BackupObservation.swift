import Foundation

/// Everything the controls need to know about one backup, taken from its verification: when it
/// ran, which members are encrypted and with which key, and whether it is intact.
///
/// It is the complete input of ``Controls/evaluate(_:enabledAt:)`` and is written into the evidence
/// as is, so `report merge` can re-evaluate the controls over backups audited by separate runs.
public struct BackupObservation: Codable, Sendable, Equatable {
  public enum EncryptionState: String, Codable, Sendable {
    /// Every member that should be encrypted is (§6.4 exceptions aside).
    case encrypted
    /// No member is encrypted.
    case plain
    /// Some members are encrypted and some that should be are not.
    case partial
    /// Nothing could be read (missing or unreadable file, no members).
    case unknown
  }

  /// Where the backup's times came from.
  public struct Timing: Codable, Sendable, Equatable {
    /// The times used (RFC 3339 UTC): the catalog's when it has them, else the embedded ones.
    public var start: String?
    public var end: String?
    /// `catalog`, `embedded` or `none`.
    public var source: String
    public var catalogStart: String?
    public var catalogEnd: String?
    /// `start_time` / `end_time` of `xtrabackup_info` (or `mariadb_backup_info`), read in the policy's zone.
    public var embeddedStart: String?
    public var embeddedEnd: String?
    /// The member the embedded times came from.
    public var embeddedFrom: String?

    public init(start: String?, end: String?, source: String) { self.start = start; self.end = end; self.source = source }
  }

  /// A member left plain on purpose by the backup tool (spec §6.4).
  public struct PlainException: Codable, Sendable, Equatable {
    public var member: String
    public var reason: String
  }

  /// One key that opened members of this backup.
  public struct KeyUse: Codable, Sendable, Equatable {
    public var fingerprint: String
    public var members: Int
    /// `xbcrypt.cipher`, `xbcrypt.version`, `xbcrypt.keyVerified` as the xbcrypt layer reported them.
    public var ciphers: [String]
    public var versions: [String]
    public var proofs: [String]

    public init(fingerprint: String, members: Int, ciphers: [String], versions: [String], proofs: [String]) {
      self.fingerprint = fingerprint; self.members = members; self.ciphers = ciphers; self.versions = versions; self.proofs = proofs
    }
  }

  /// One member: its final name, whether it is encrypted, the key that opened it.
  public struct MemberSummary: Codable, Sendable, Equatable {
    public var path: String
    public var encrypted: Bool
    public var keyFingerprint: String?
    public var exception: Bool?
  }

  public var id: String
  /// The local file as given (a path, never a download URL).
  public var file: String
  public var size: UInt64
  public var sha256: String?
  public var expectedSHA256: String?
  public var time: Timing
  /// The input's outer layers (e.g. `["xbstream"]`).
  public var layers: [String]
  public var encryption: EncryptionState
  public var memberCount: Int
  public var encryptedMemberCount: Int
  /// Members that should be encrypted but are plain.
  public var plainMembers: [String]
  public var exceptions: [PlainException]
  public var keys: [KeyUse]
  /// Encrypted members that no supplied key opens (`key unavailable`).
  public var keyUnavailable: [String]
  /// Encrypted members whose key could not be established (no key given, layer not verified, v1/v2 without proof).
  public var keyUnverified: [String]
  /// Integrity errors, not counting those of members no key opens (those are a key problem).
  public var integrityErrors: Int
  /// Errors that mean something could not be evaluated (unreadable input, no time, limits).
  public var evaluationErrors: Int
  /// Codes of policy errors about the keys (a member encrypted with another AES variant than `--cipher`).
  public var policyErrors: [String]
  public var rds: RDSBackupInfo?
  public var members: [MemberSummary]
  /// Every finding of the verification and of the audit's own per-backup checks.
  public var findings: [Finding]

  /// The time the controls compare with the enable time: the start, else the end.
  public var placedAt: Date? { (time.start ?? time.end).flatMap(AuditTime.parseRFC3339) }

  /// Fingerprints of the keys that opened members, sorted.
  public var fingerprints: [String] { keys.map(\.fingerprint).sorted() }
}
