import Formats

/// Backup-level checks run once every member is read (spec §9.5): B1 (checkpoints parse, LSN
/// order), B2 (`xtrabackup_info` agrees with the checkpoints) and the `.delta`/`.meta` pairing of B6.
/// They read the `meta.*` facts ``MetadataCapture`` kept, per container (one backup per container).
enum BackupMetadataChecks {
  static let checkpointNames: Set<String> = ["xtrabackup_checkpoints", "mariadb_backup_checkpoints"]
  static let infoNames: Set<String> = ["xtrabackup_info", "mariadb_backup_info"]

  static func run(_ session: Session) {
    let kept = session.members.filter { $0.role == .content && $0.fate == .kept }
    for (_, members) in Dictionary(grouping: kept, by: { $0.parentID ?? -1 }).sorted(by: { $0.key < $1.key }) {
      checkBackup(members, session)
    }
  }

  private static func basename(_ m: MemberRecord) -> String { m.path.split(separator: "/").last.map(String.init) ?? m.path }

  private static func fields(_ m: MemberRecord) -> [String: String]? {
    guard m.facts["meta.readable"] == "yes" else { return nil }
    var out: [String: String] = [:]
    for (k, v) in m.facts where k.hasPrefix("meta.") && k != "meta.readable" { out[String(k.dropFirst(5))] = v }
    return out
  }

  private static func report(_ session: Session, code: String, _ severity: Severity, _ member: MemberRecord,
                          _ message: String, expected: String? = nil, found: String? = nil) {
    var f = Finding(code: code, severity: severity, category: .integrity, layer: "backup", message: message,
                    expected: expected, found: found)
    f.memberID = member.id
    session.add(f)
  }

  private static func checkBackup(_ members: [MemberRecord], _ session: Session) {
    var checkpoints: BackupCheckpoints?
    let checkpointMembers = members.filter { checkpointNames.contains(basename($0)) }
    let info = members.first { infoNames.contains(basename($0)) }
    // B1: parse and order.
    for m in checkpointMembers {
      guard let f = fields(m) else {
        let isText = m.facts["meta.readable"] != "no"
        if !isText { report(session, code: "backup.checkpoints_unparsable", .error, m, "\(m.path) is not text") }
        continue
      }
      do throws(BackupCheckpoints.Problem) {
        let c = try BackupCheckpoints(fields: f)
        checkpoints = checkpoints ?? c
        for v in c.violations {
          report(session, code: "backup.checkpoints_lsn_order", .error, m, "\(m.path): \(v)",
              expected: "0 <= from_lsn <= to_lsn <= last_lsn", found: "\(c.fromLSN) / \(c.toLSN) / \(c.lastLSN.map(String.init) ?? "-")")
        }
      } catch {
        report(session, code: "backup.checkpoints_unparsable", .error, m, "\(m.path): \(error)")
      }
    }
    if checkpointMembers.isEmpty, let info {
      report(session, code: "backup.checkpoints_missing", .error, info,
          "the backup has \(info.path) but no xtrabackup_checkpoints / mariadb_backup_checkpoints")
    }
    // B2: info vs checkpoints.
    if let c = checkpoints, let info, let f = fields(info) {
      for (key, value) in [("innodb_from_lsn", c.fromLSN), ("innodb_to_lsn", c.toLSN)] {
        if let v = f[key], v != String(value) {
          report(session, code: "backup.info_checkpoints_mismatch", .error, info,
              "\(info.path) \(key) = \(ByteText.preview(Array(v.utf8))) but the checkpoints say \(value)",
              expected: String(value), found: ByteText.preview(Array(v.utf8)))
        }
      }
      if let inc = f["incremental"], c.isFull || c.isIncremental, (inc == "Y") != c.isIncremental {
        report(session, code: "backup.info_checkpoints_mismatch", .warning, info,
            "\(info.path) incremental = \(ByteText.preview(Array(inc.utf8))) but backup_type = \(c.backupType)",
            expected: c.isIncremental ? "Y" : "N", found: ByteText.preview(Array(inc.utf8)))
      }
    }
    // B6: every .delta has its .meta (and the other way round).
    let paths = Set(members.map(\.path))
    for m in members where InnoDBDeltaChecker.applies(to: m.path) {
      let meta = String(m.path.dropLast(".delta".count)) + ".meta"
      if !paths.contains(meta) {
        report(session, code: "innodb.delta_meta_missing", .error, m, "\(m.path) has no \(meta): the incremental cannot be applied")
      }
    }
    for m in members where InnoDBMetaChecker.applies(to: m.path) {
      let delta = String(m.path.dropLast(".meta".count)) + ".delta"
      if !paths.contains(delta) {
        report(session, code: "innodb.meta_without_delta", .warning, m, "\(m.path) has no \(delta) beside it")
      }
    }
  }
}
