import Foundation
import Formats

/// The set of backups an audit examines: one ``CatalogEntry`` per backup, from one of three sources.
///
/// **Our catalog JSON** (`--catalog F`, schema `xbinspect.catalog/1`):
///
/// | Field | Type | Meaning |
/// |---|---|---|
/// | `schema` | string | `xbinspect.catalog/1` (optional) |
/// | `backups[]` | array | one object per backup |
/// | `backups[].id` | string | backup id (unique) |
/// | `backups[].file` | string | local file; relative paths are relative to the catalog file |
/// | `backups[].startTime`, `endTime` | RFC 3339 | when the backup ran (optional; else embedded metadata) |
/// | `backups[].sha256` | hex | expected SHA-256 of the file (optional) |
///
/// **RDS `DescribeBackups` JSON** (`--describe-backups F`): `Items.Backup[]` with `BackupId`,
/// `BackupStartTime`, `BackupEndTime`, `BackupMethod`, `BackupType`, `BackupSize`, `Encryption`,
/// `BackupDownloadURL` / `BackupIntranetDownloadURL`. The local file is the one in `--backup-dir`
/// whose name contains the `BackupId`, or the one a mapping file names. Download URLs carry
/// signatures: only their host and object name are kept (``DownloadReference``).
///
/// **A directory** (`xbinspect audit DIR`): every regular, non-hidden file in it, sorted by name;
/// id = file name; times come from each backup's own metadata.
public struct Catalog: Sendable {
  public enum Kind: String, Codable, Sendable { case catalog, describeBackups = "describe-backups", directory }

  public var kind: Kind
  public var entries: [CatalogEntry]
  /// Where the catalog came from and its SHA-256 (evidence); nil for a directory listing.
  public var source: SourceRecord?

  public struct SourceRecord: Codable, Sendable, Equatable {
    public var kind: Kind
    public var path: String
    public var sha256: String?
    public init(kind: Kind, path: String, sha256: String?) { self.kind = kind; self.path = path; self.sha256 = sha256 }
  }

  public init(kind: Kind, entries: [CatalogEntry], source: SourceRecord?) {
    self.kind = kind; self.entries = entries; self.source = source
  }

  /// A catalog that cannot be used: bad JSON, a missing field, a duplicate id. Nothing is verified.
  public struct CatalogError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
  }

  /// Largest catalog / DescribeBackups / mapping file read (a page of RDS output is a few KiB).
  public static let maxFileLength = 64 << 20
  public static let catalogSchema = "xbinspect.catalog/1"

  // MARK: Our catalog

  /// Parses our catalog JSON. `baseDirectory` resolves relative file paths.
  public static func parseCatalog(_ bytes: [UInt8], baseDirectory: String) throws(CatalogError) -> [CatalogEntry] {
    let root = try object(bytes, what: "catalog")
    if let schema = root["schema"], (schema as? String) != catalogSchema {
      throw CatalogError("catalog schema is \(describe(schema)); expected \(catalogSchema)")
    }
    guard let list = root["backups"] as? [Any] else { throw CatalogError("catalog has no \"backups\" array") }
    var entries: [CatalogEntry] = []
    for (i, item) in list.enumerated() {
      guard let b = item as? [String: Any] else { throw CatalogError("catalog backups[\(i)] is not an object") }
      guard let id = scalar(b["id"]), !id.isEmpty else { throw CatalogError("catalog backups[\(i)] has no \"id\"") }
      guard let file = b["file"] as? String, !file.isEmpty else { throw CatalogError("catalog backup \(id) has no \"file\"") }
      var e = CatalogEntry(id: id, path: resolve(file, in: baseDirectory))
      e.startTime = try time(b["startTime"], field: "startTime", id: id)
      e.endTime = try time(b["endTime"], field: "endTime", id: id)
      if let s = b["sha256"] {
        guard let hex = s as? String, hex.utf8.count == 64, hex.utf8.allSatisfy({ isHex($0) }) else {
          throw CatalogError("catalog backup \(id): sha256 must be 64 hex digits")
        }
        e.expectedSHA256 = hex.lowercased()
      }
      entries.append(e)
    }
    try checkUnique(entries)
    return entries
  }

  // MARK: DescribeBackups

  /// How a DescribeBackups entry finds its local file.
  public enum FileLocator: Sendable {
    /// The file in this directory whose name contains the `BackupId` (exactly one must).
    case directory(String)
    /// `BackupId` → path (from a mapping file, see ``parseMapping(_:baseDirectory:)``).
    case mapping([String: String])
  }

  /// Parses the JSON a `DescribeBackups` call returns (the whole response, or its `Items`).
  public static func parseDescribeBackups(_ bytes: [UInt8], locator: FileLocator) throws(CatalogError) -> [CatalogEntry] {
    let root = try object(bytes, what: "DescribeBackups")
    let items = (root["Items"] as? [String: Any]) ?? root
    guard let list = items["Backup"] as? [Any] else { throw CatalogError("DescribeBackups JSON has no Items.Backup array") }
    var listing: [String] = []
    if case .directory(let dir) = locator {
      listing = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { !$0.hasPrefix(".") }.sorted() ?? []
      if listing.isEmpty && !FileManager.default.fileExists(atPath: dir) { throw CatalogError("cannot list --backup-dir \(dir)") }
    }
    var entries: [CatalogEntry] = []
    for (i, item) in list.enumerated() {
      guard let b = item as? [String: Any] else { throw CatalogError("Items.Backup[\(i)] is not an object") }
      guard let id = scalar(b["BackupId"]), !id.isEmpty else { throw CatalogError("Items.Backup[\(i)] has no BackupId") }
      var path = ""
      var locateProblem: String?
      switch locator {
      case .directory(let dir):
        let matches = listing.filter { $0.contains(id) }
        if matches.count == 1 { path = (dir as NSString).appendingPathComponent(matches[0]) }
        else {
          locateProblem = matches.isEmpty ? "no file in \(dir) has \(id) in its name"
                                          : "\(matches.count) files in \(dir) have \(id) in their name: \(matches.joined(separator: ", "))"
        }
      case .mapping(let map):
        if let p = map[id] { path = p } else { locateProblem = "the mapping file names no file for backup \(id)" }
      }
      var e = CatalogEntry(id: id, path: path)
      e.locateProblem = locateProblem
      e.startTime = try rdsTime(b["BackupStartTime"], field: "BackupStartTime", id: id)
      e.endTime = try rdsTime(b["BackupEndTime"], field: "BackupEndTime", id: id)
      var rds = RDSBackupInfo()
      rds.backupMethod = scalar(b["BackupMethod"])
      rds.backupType = scalar(b["BackupType"])
      rds.backupMode = scalar(b["BackupMode"])
      rds.backupStatus = scalar(b["BackupStatus"])
      rds.backupSize = (b["BackupSize"] as? NSNumber)?.uint64Value ?? scalar(b["BackupSize"]).flatMap { UInt64($0) }
      rds.encryption = scalar(b["Encryption"])
      rds.download = (b["BackupDownloadURL"] as? String).flatMap(DownloadReference.init(url:))
      rds.intranetDownload = (b["BackupIntranetDownloadURL"] as? String).flatMap(DownloadReference.init(url:))
      e.rds = rds
      entries.append(e)
    }
    try checkUnique(entries)
    return entries
  }

  /// A mapping file: a JSON object `{"BackupId": "path", …}`, or text lines `BackupId<space or tab>path`
  /// (`#` starts a comment). Relative paths are relative to the mapping file.
  public static func parseMapping(_ bytes: [UInt8], baseDirectory: String) throws(CatalogError) -> [String: String] {
    var map: [String: String] = [:]
    let text = String(decoding: bytes, as: UTF8.self)
    if text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("{") {
      let root = try object(bytes, what: "mapping")
      for (k, v) in root {
        guard let p = v as? String else { throw CatalogError("mapping entry \(k) is not a path string") }
        map[k] = resolve(p, in: baseDirectory)
      }
      return map
    }
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") { continue }
      guard let sep = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
        throw CatalogError("mapping line \(n + 1): expected 'BackupId path'")
      }
      let id = String(line[..<sep]), path = line[sep...].trimmingCharacters(in: .whitespaces)
      guard map[id] == nil else { throw CatalogError("mapping names backup \(id) twice") }
      map[id] = resolve(path, in: baseDirectory)
    }
    return map
  }

  // MARK: Directory

  /// Every regular, non-hidden file of `directory`, sorted by name.
  public static func listDirectory(_ directory: String) throws(CatalogError) -> [CatalogEntry] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      throw CatalogError("cannot list directory \(directory)")
    }
    var entries: [CatalogEntry] = []
    for name in names.sorted() where !name.hasPrefix(".") {
      let path = (directory as NSString).appendingPathComponent(name)
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
      entries.append(CatalogEntry(id: name, path: path))
    }
    guard !entries.isEmpty else { throw CatalogError("directory \(directory) holds no backup files") }
    return entries
  }

  // MARK: Helpers

  static func object(_ bytes: [UInt8], what: String) throws(CatalogError) -> [String: Any] {
    guard bytes.count <= maxFileLength else { throw CatalogError("\(what) file is larger than \(maxFileLength) bytes") }
    let parsed: Any
    do { parsed = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
      throw CatalogError("\(what) file is not valid JSON")
    }
    guard let root = parsed as? [String: Any] else { throw CatalogError("\(what) JSON is not an object") }
    return root
  }

  /// A string or a number as text (RDS ids are sometimes numbers).
  static func scalar(_ v: Any?) -> String? {
    if let s = v as? String { return s }
    if let n = v as? NSNumber { return n.stringValue }
    return nil
  }

  static func describe(_ v: Any) -> String { scalar(v).map { "\"\($0)\"" } ?? "not a string" }

  static func time(_ v: Any?, field: String, id: String) throws(CatalogError) -> Date? {
    guard let v else { return nil }
    guard let s = v as? String, let d = AuditTime.parseRFC3339(s) else {
      throw CatalogError("catalog backup \(id): \(field) is not an RFC 3339 time with a zone")
    }
    return d
  }

  /// RDS times: RFC 3339, sometimes without seconds (`2011-06-01T16:00Z`).
  static func rdsTime(_ v: Any?, field: String, id: String) throws(CatalogError) -> Date? {
    guard let v else { return nil }
    guard var s = v as? String else { throw CatalogError("backup \(id): \(field) is not a string") }
    if s.utf8.count == 17, s.hasSuffix("Z") { s = String(s.dropLast()) + ":00Z" }
    guard let d = AuditTime.parseRFC3339(s) else { throw CatalogError("backup \(id): \(field) is not an RFC 3339 time") }
    return d
  }

  static func resolve(_ path: String, in base: String) -> String {
    path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
  }

  static func isHex(_ c: UInt8) -> Bool { (48...57).contains(c) || (65...70).contains(c) || (97...102).contains(c) }

  static func checkUnique(_ entries: [CatalogEntry]) throws(CatalogError) {
    var seen = Set<String>()
    for e in entries where !seen.insert(e.id).inserted { throw CatalogError("backup id \(e.id) appears twice") }
  }
}

/// One backup to audit.
public struct CatalogEntry: Sendable, Equatable {
  public var id: String
  /// The local file (empty when it could not be located; see ``locateProblem``).
  public var path: String
  public var startTime: Date?
  public var endTime: Date?
  public var expectedSHA256: String?
  /// Why the local file could not be found (DescribeBackups without a matching file).
  public var locateProblem: String?
  /// What DescribeBackups said about it.
  public var rds: RDSBackupInfo?

  public init(id: String, path: String, startTime: Date? = nil, endTime: Date? = nil, expectedSHA256: String? = nil) {
    self.id = id; self.path = path; self.startTime = startTime; self.endTime = endTime; self.expectedSHA256 = expectedSHA256
  }
}

/// The DescribeBackups fields an auditor wants beside the verification (never the download URL).
public struct RDSBackupInfo: Codable, Sendable, Equatable {
  public var backupMethod: String?
  public var backupType: String?
  public var backupMode: String?
  public var backupStatus: String?
  public var backupSize: UInt64?
  /// The `Encryption` field as RDS gives it (a JSON text naming the KMS key, not key material).
  public var encryption: String?
  public var download: DownloadReference?
  public var intranetDownload: DownloadReference?
  public init() {}
}

/// A download URL reduced to what is not secret: the host and the object's file name. The path
/// prefix, the query (`Expires`, `OSSAccessKeyId`, `Signature`…) and any user info are dropped.
public struct DownloadReference: Codable, Sendable, Equatable {
  public var host: String
  public var object: String

  public init?(url: String) {
    guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty else { return nil }
    self.host = host
    let last = c.path.split(separator: "/").last.map(String.init) ?? ""
    self.object = last.removingPercentEncoding ?? last
  }
}
