import Foundation
import Formats
import Inspect

/// `report merge`: folds audit reports of separate runs (one backup each, from a CI matrix or a
/// batch engine) into one result, re-evaluating every control over the union of their backups.
/// Controls 1, 2 and 5 come out as each run had them; 3 (never disabled) and 4 (one key) now
/// compare times and key fingerprints across the runs.
public enum AuditMerge {
  public struct MergeError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
  }

  /// Reports merged at most (a bound on memory: each is held whole).
  public static let maxReports = 10_000
  /// Largest report read.
  public static let maxReportLength = 256 << 20

  public static func merge(_ inputs: [(path: String, bytes: [UInt8])]) throws(MergeError) -> (AuditResult, [AuditEvidence.MergeSource]) {
    guard !inputs.isEmpty else { throw MergeError(description: "report merge needs at least one report") }
    guard inputs.count <= maxReports else { throw MergeError(description: "more than \(maxReports) reports") }
    var docs: [AuditEvidence] = []
    var sources: [AuditEvidence.MergeSource] = []
    for (path, bytes) in inputs {
      guard bytes.count <= maxReportLength else { throw MergeError(description: "\(path) is larger than \(maxReportLength) bytes") }
      let doc: AuditEvidence
      do { doc = try AuditJSONWriter.read(bytes, name: path) } catch { throw MergeError(description: error.description) }
      docs.append(doc)
      sources.append(.init(path: path, sha256: SHA256.hash(bytes).hexString, evaluatedAt: doc.evaluatedAt, host: doc.host,
                           policySha256: doc.policy.file?.sha256, backups: doc.backups.map(\.id)))
    }
    let first = docs[0].policy
    for (doc, src) in zip(docs, sources).dropFirst() {
      let p = doc.policy
      func differ(_ what: String, _ a: String, _ b: String) -> MergeError {
        MergeError(description: "\(src.path) was audited with \(what) \(b), \(sources[0].path) with \(a): merge only runs of one policy")
      }
      if p.encryptionEnabledAt != first.encryptionEnabledAt { throw differ("encryption enabled at", first.encryptionEnabledAt, p.encryptionEnabledAt) }
      if p.cipher != first.cipher { throw differ("cipher", first.cipher ?? "none", p.cipher ?? "none") }
      if p.embeddedTimeZone != first.embeddedTimeZone { throw differ("embedded time zone", first.embeddedTimeZone, p.embeddedTimeZone) }
      if p.toleranceSeconds != first.toleranceSeconds { throw differ("tolerance", "\(first.toleranceSeconds)s", "\(p.toleranceSeconds)s") }
    }
    var seen: [String: String] = [:]
    var backups: [BackupObservation] = []
    for (doc, src) in zip(docs, sources) {
      for b in doc.backups {
        if let other = seen[b.id] { throw MergeError(description: "backup \(b.id) is in both \(other) and \(src.path)") }
        seen[b.id] = src.path
        backups.append(b)
      }
    }
    var policy = first
    var keys: [AuditPolicy.KeyRecord] = []
    for k in docs.flatMap(\.policy.keys) where !keys.contains(where: { $0.fingerprint == k.fingerprint }) { keys.append(k) }
    policy.keys = keys
    if Set(docs.map { $0.policy.file?.sha256 ?? "" }).count > 1 { policy.file = nil }
    let started = docs.compactMap { AuditTime.parseRFC3339(String($0.startedAt.prefix(19)) + "Z") }.min() ?? Date()
    let ended = docs.compactMap { AuditTime.parseRFC3339(String($0.endedAt.prefix(19)) + "Z") }.max() ?? Date()
    let catalog = Set(docs.map { $0.catalog?.sha256 ?? "" }).count == 1 ? docs[0].catalog : nil
    return (AuditResult(policy: policy, catalog: catalog, backups: backups, startedAt: started, endedAt: ended), sources)
  }
}
