/// `xtrabackup_checkpoints` / `mariadb_backup_checkpoints` (spec §6.2, §6.5): the LSN range a backup
/// covers, from its `key = value` pairs.
///
/// | Key | Value |
/// |---|---|
/// | `backup_type` | `full-backuped`, `incremental`; after prepare `log-applied`, `full-prepared` |
/// | `from_lsn` | decimal u64; 0 for a full backup, the base's `to_lsn` for an incremental |
/// | `to_lsn` | decimal u64: checkpoint LSN at the end of the copy |
/// | `last_lsn` | decimal u64: last LSN copied (PXB tolerates its absence) |
///
/// Later keys (`recover_binlog_info`, `flushed_lsn`, `redo_memory`, …) are accepted and ignored.
public struct BackupCheckpoints: Equatable, Sendable {
  public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
    case missingKey(String)
    case badNumber(key: String, value: String)
    public var description: String {
      switch self {
      case let .missingKey(k): "no '\(k) = …' line"
      case let .badNumber(k, v): "'\(k)' is not a decimal LSN: '\(v)'"
      }
    }
  }

  public var backupType: String
  public var fromLSN: UInt64
  public var toLSN: UInt64
  public var lastLSN: UInt64?

  public var isFull: Bool { backupType == "full-backuped" || backupType == "full-prepared" }
  public var isIncremental: Bool { backupType == "incremental" }

  /// Parses the pairs (keys without any prefix, values trimmed).
  public init(fields: [String: String]) throws(Problem) {
    func lsn(_ key: String) throws(Problem) -> UInt64? {
      guard let v = fields[key] else { return nil }
      guard !v.isEmpty, v.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = UInt64(v) else {
        throw .badNumber(key: key, value: String(v.prefix(40)))
      }
      return n
    }
    guard let type = fields["backup_type"], !type.isEmpty else { throw .missingKey("backup_type") }
    guard let from = try lsn("from_lsn") else { throw .missingKey("from_lsn") }
    guard let to = try lsn("to_lsn") else { throw .missingKey("to_lsn") }
    backupType = type; fromLSN = from; toLSN = to; lastLSN = try lsn("last_lsn")
  }

  /// The order rule of §6.2 (0 ≤ from ≤ to ≤ last; from = 0 for a full backup), as one-line
  /// descriptions of what is violated.
  public var violations: [String] {
    var v: [String] = []
    if fromLSN > toLSN { v.append("from_lsn \(fromLSN) > to_lsn \(toLSN)") }
    if let last = lastLSN, toLSN > last { v.append("to_lsn \(toLSN) > last_lsn \(last)") }
    if isFull && fromLSN != 0 { v.append("\(backupType) backup with from_lsn \(fromLSN), expected 0") }
    return v
  }
}
