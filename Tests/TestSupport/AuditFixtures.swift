import Foundation
import Inspect

/// Catalogs over the real corpus with explicit times (the corpus's embedded times all fall on one
/// day): plain mariabackup / xbstream streams in January, encryption enabled on 1 February, the
/// ALI1-encrypted streams in March.
public enum AuditFixtures {
  public static let enabledAt = AuditTime.parseRFC3339("2024-02-01T00:00:00Z")!
  public static let kmsPlaintext = "w4t7BKjP/iUCtF+hQ0PATg=="
  /// ALI1 as RDS derives it from the KMS plaintext.
  public static var aliKey: KeyMaterial {
    KeyMaterial(bytes: Array(try! KeyLoader.derivePassword(fromKMSPlaintext: kmsPlaintext).utf8), source: "test kms")
  }
  /// K256 of the corpus: a key that opens none of the ali_enc members.
  public static var wrongKey: KeyMaterial { KeyMaterial(bytes: Array("0123456789ABCDEF0123456789abcdef".utf8), source: "test wrong key") }

  public static func t(_ s: String) -> Date { AuditTime.parseRFC3339(s)! }

  /// (id, corpus file, start time) of the standard set.
  public static let standard: [(String, String, String)] = [
    ("plain-incr", "mb1011_tiny_incremental_partial.xb", "2024-01-10T01:00:00Z"),
    ("plain-pxb", "xbs_pxb24_create_4files.xb", "2024-01-11T01:00:00Z"),
    ("plain-mb", "xbs_mbstream_create_4files.xb", "2024-01-12T01:00:00Z"),
    ("enc-incr", "ali_enc_tiny_incremental_xbcrypt.xb", "2024-03-01T01:00:00Z"),
    ("enc-qp", "ali_enc_tiny_partial_qp_xbcrypt.xb", "2024-03-02T01:00:00Z"),
  ]

  public static func catalog(_ rows: [(String, String, String)] = standard) -> Catalog {
    Catalog(kind: .catalog, entries: rows.map { CatalogEntry(id: $0.0, path: Corpus.realFile($0.1).path, startTime: t($0.2)) }, source: nil)
  }

  public static func policy(keys: [KeyMaterial]) -> AuditPolicy {
    var p = AuditPolicy(encryptionEnabledAt: enabledAt)
    p.keys = keys
    return p
  }

  /// A fresh temporary directory.
  public static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("xbinspect-audit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// The secret part of the download URLs the DescribeBackups fixtures carry.
  public static let urlSecret = "Signature=SECRETsig%2Bvalue123&OSSAccessKeyId=LTAIsecretAccessKey"

  /// A DescribeBackups response (documented field names) for `rows`, and a backup directory whose
  /// files are named like RDS downloads (`hins<instance>_data_<time>_<BackupId>_qp.xb`, symlinks
  /// to the corpus). Returns (describe JSON path, backup dir).
  public static func describeBackups(_ rows: [(String, String, String)], in dir: URL) throws -> (URL, URL) {
    let backups = dir.appendingPathComponent("backups")
    try FileManager.default.createDirectory(at: backups, withIntermediateDirectories: true)
    var items: [[String: Any]] = []
    for (n, (_, file, start)) in rows.enumerated() {
      let id = String(42_000_000 + n)
      let name = "hins123456_data_20240101_\(id)_\(file)"
      try FileManager.default.createSymbolicLink(atPath: backups.appendingPathComponent(name).path,
                                                 withDestinationPath: Corpus.realFile(file).path)
      let size = try FileManager.default.attributesOfItem(atPath: Corpus.realFile(file).path)[.size] as! NSNumber
      let end = AuditTime.format(t(start).addingTimeInterval(600))
      items.append([
        "BackupId": id, "BackupStartTime": start, "BackupEndTime": end, "BackupMethod": "Physical",
        "BackupType": "FullBackup", "BackupMode": "Automated", "BackupStatus": "Success", "BackupSize": size,
        "Encryption": file.hasPrefix("ali_enc") ? "{\"EncryptionKey\":\"0d24****-kms-key-id\"}" : "",
        "BackupDownloadURL": "https://rdsbak-hz-v3.oss-cn-hangzhou.aliyuncs.com/custins123/\(name)?Expires=1700000000&\(urlSecret)",
        "BackupIntranetDownloadURL": "http://rdsbak-hz-v3.oss-cn-hangzhou-internal.aliyuncs.com/custins123/\(name)?Expires=1700000000&\(urlSecret)",
      ])
    }
    let root: [String: Any] = ["Items": ["Backup": items], "TotalRecordCount": String(rows.count), "PageNumber": "1",
                               "PageRecordCount": String(rows.count), "RequestId": "1A6AD2B0-0000-4A3E-9C1A-000000000000"]
    let json = dir.appendingPathComponent("describe-backups.json")
    try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys]).write(to: json)
    return (json, backups)
  }
}
