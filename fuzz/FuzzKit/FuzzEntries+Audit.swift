import Foundation
import Formats
import Inspect
import Report

/// The text targets: the JSON readers of the audit (catalog, DescribeBackups, mapping, policy,
/// evidence for `report merge`) and the report writers fed arbitrary strings, whose output must
/// always be well-formed and must never contain a key.
extension FuzzEntries {
  /// A directory that does not exist: relative paths in fuzzed files resolve to nothing.
  static let nowhere = "/nonexistent-xbinspect-fuzz"

  /// Every audit JSON reader on the same bytes: our catalog, DescribeBackups, a mapping file, and
  /// the evidence reader of `report merge`. Errors are fine; traps and hangs are not.
  public static func catalog(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxTextInput else { return }
    let bytes = Array(data)
    _ = try? Catalog.parseCatalog(bytes, baseDirectory: nowhere)
    _ = try? Catalog.parseDescribeBackups(bytes, locator: .mapping([:]))
    if let map = try? Catalog.parseMapping(bytes, baseDirectory: nowhere) {
      _ = try? Catalog.parseDescribeBackups(bytes, locator: .mapping(map))
    }
    _ = try? AuditJSONWriter.read(bytes, name: "fuzz.json")
    _ = try? AuditMerge.merge([(path: "a.json", bytes: bytes), (path: "b.json", bytes: bytes)])
  }

  /// The audit policy file reader. Key file paths it names are read (bounded, see KeyLoader).
  public static func policy(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxTextInput else { return }
    _ = try? AuditPolicy.parseFile(Array(data), baseDirectory: nowhere)
  }

  /// Splits text into `n` fields at NUL bytes (missing fields repeat the last one).
  static func fields(_ data: UnsafeRawBufferPointer, _ n: Int) -> [String] {
    var parts = data.split(separator: 0, maxSplits: n - 1, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    while parts.count < n { parts.append(parts.last ?? "") }
    return parts
  }

  /// The verify report writers with arbitrary text in every string field: the output must stay well-formed.
  public static func reports(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxTextInput else { return }
    let f = fields(data, 8)
    var report = InputReport.unreadable(name: f[0], path: f[1], reason: f[2])
    report.findings.append(Finding(code: f[3], severity: .error, layer: f[4], member: f[5], offset: 1,
                                   message: f[2], expected: f[6], found: f[7]))
    report.facts[f[6]] = f[7]
    report.layers = [f[4]]
    do {
      let json = try JSONReportWriter.render([report], options: VerifyOptions())
      guard (try? JSONSerialization.jsonObject(with: Data(json))) != nil else { fatalError("JSON report not well-formed") }
      let xml = try JUnitReportWriter.render([report])
      guard XMLWellFormedness.check(xml) else { fatalError("JUnit report not well-formed") }
    } catch {
      fatalError("report writer failed: \(error)")
    }
  }

  /// A key no fuzz input can name: it must never appear in an audit output.
  static let secretKey = KeyMaterial(bytes: Array("fuzzSECRETkey-7f3a9c01d2e4b6a8!!".utf8), source: "fuzz policy")

  /// The audit writers (JSON evidence, JUnit, table) over an audit whose strings are arbitrary:
  /// backup id and path, finding texts, catalog path, host. JSON must parse and read back, JUnit
  /// must be well-formed XML, and the policy key must appear in none of them.
  public static func auditReports(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxTextInput else { return }
    let f = fields(data, 8)
    var report = InputReport.unreadable(name: f[0], path: f[1], reason: f[2])
    report.findings.append(Finding(code: f[3], severity: .error, layer: f[4], member: f[5], offset: 7,
                                   message: f[2], expected: f[6], found: f[7]))
    report.findings.append(Finding(code: "xbcrypt.wrong_key", severity: .error, category: .evaluation, layer: "xbcrypt",
                                   member: f[5], message: f[6]))
    var policy = AuditPolicy(encryptionEnabledAt: Date(timeIntervalSince1970: 1_700_000_000))
    policy.keys = [secretKey]
    var entry = CatalogEntry(id: f[0], path: f[1], startTime: Date(timeIntervalSince1970: 1_700_000_000 + Double(data.count)))
    entry.locateProblem = f[7].isEmpty ? nil : f[7]
    let observation = AuditRunner.observe(report, entry: entry, policy: policy)
    let result = AuditResult(policy: policy.record, catalog: .init(kind: .catalog, path: f[4], sha256: f[3]),
                             backups: [observation, observation], startedAt: Date(timeIntervalSince1970: 0),
                             endedAt: Date(timeIntervalSince1970: 1))
    let key = secretKey.bytes
    do {
      let json = try AuditJSONWriter.render(AuditEvidence(result, host: f[6]))
      guard (try? JSONSerialization.jsonObject(with: Data(json))) != nil else { fatalError("audit JSON not well-formed") }
      do { _ = try AuditJSONWriter.read(json, name: "fuzz") } catch { fatalError("audit JSON does not read back: \(error)") }
      let xml = try AuditJUnitWriter.render(result)
      guard XMLWellFormedness.check(xml) else { fatalError("audit JUnit not well-formed") }
      let table = Array(AuditTableWriter.lines(result).joined(separator: "\n").utf8)
      for out in [json, xml, table] where out.firstRange(of: key) != nil { fatalError("a key appears in an audit output") }
    } catch {
      fatalError("audit writer failed: \(error)")
    }
  }
}
