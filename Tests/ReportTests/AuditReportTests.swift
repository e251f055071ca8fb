import Foundation
import Testing
import Inspect
import Report
import TestSupport

/// The audit evidence JSON (schema, round trip, merge) and JUnit (XSD), over the real corpus.
@Suite struct AuditReportTests {
  static let schema = Corpus.projectRoot.appendingPathComponent("Schemas/audit-evidence.schema.json")

  func audit(_ rows: [(String, String, String)] = AuditFixtures.standard, keys: [KeyMaterial] = [AuditFixtures.aliKey]) -> AuditResult {
    AuditRunner.run(catalog: AuditFixtures.catalog(rows), policy: AuditFixtures.policy(keys: keys))
  }

  @Test func evidenceMatchesItsSchemaAndReadsBack() throws {
    let result = audit()
    let bytes = try AuditJSONWriter.render(AuditEvidence(result, host: "test-host"))
    #expect(try SchemaValidation.validateJSON(bytes, schemaURL: Self.schema) == [])
    let back = try AuditJSONWriter.read(bytes, name: "r.json")
    #expect(back.backups == result.backups)
    #expect(back.framework.controls == result.controls)
    #expect(back.policy.keys.map(\.fingerprint) == [AuditFixtures.aliKey.fingerprint])
    #expect(back.policy.keys.first?.length == 32)
    #expect(back.host == "test-host")
    #expect(back.exitCode == result.verdict.exitCode)
    let text = String(decoding: bytes, as: UTF8.self)
    #expect(!text.contains("c38b7b04a8cffe2502b45fa14343c04e"), "the key never appears")
    #expect(back.backups[0].sha256 == "9562f53fcdfaade1381d708edff1d8f2ee983e24c33e0afe1b2a2b7260b33af2")
    #expect(back.backups[0].size == 802827)
  }

  @Test func junitHasASuitePerBackupAndACasePerControlAndIsValid() throws {
    var rows = AuditFixtures.standard
    rows[1].2 = "2024-03-05T01:00:00Z"
    let xml = try AuditJUnitWriter.render(audit(rows))
    #expect(SchemaValidation.validateJUnit(xml) == nil)
    let text = String(decoding: xml, as: UTF8.self)
    #expect(text.components(separatedBy: "<testsuite ").count - 1 == 5)
    #expect(text.components(separatedBy: "<testcase ").count - 1 == 25)
    #expect(text.contains("<failure message=\"started 2024-03-05T01:00:00Z, after encryption was enabled, but 4 of 4 members are plain"))
    #expect(text.contains("type=\"audit.encryption_disabled\""))
  }

  @Test func mergeOfSingleBackupRunsEqualsOneRunOverAll() throws {
    var rows = AuditFixtures.standard
    rows[1].2 = "2024-03-05T01:00:00Z"
    let whole = audit(rows)
    var inputs: [(path: String, bytes: [UInt8])] = []
    for row in rows {
      let single = audit([row])
      inputs.append(("\(row.0).json", try AuditJSONWriter.render(AuditEvidence(single, host: "runner-\(row.0)"))))
    }
    // Run alone, the late plain backup is not "after the first encrypted one": control 3 passes.
    let alone = audit([rows[1]])
    #expect(alone.controls[2].status == .notApplicable)
    let (merged, sources) = try AuditMerge.merge(inputs)
    #expect(sources.map(\.backups) == rows.map { [$0.0] })
    #expect(merged.controls.map(\.status) == whole.controls.map(\.status))
    #expect(merged.controls[2].resources.first { $0.resourceId == "plain-pxb" }?.status == .nonCompliant)
    #expect(merged.verdict == .nonCompliant)
  }

  @Test func mergeRefusesDifferentPoliciesAndDuplicateBackups() throws {
    let a = try AuditJSONWriter.render(AuditEvidence(audit([AuditFixtures.standard[0]]), host: "h"))
    var other = AuditFixtures.policy(keys: [])
    other.encryptionEnabledAt = AuditFixtures.t("2024-02-02T00:00:00Z")
    let b = try AuditJSONWriter.render(AuditEvidence(AuditRunner.run(catalog: AuditFixtures.catalog([AuditFixtures.standard[1]]), policy: other), host: "h"))
    #expect(throws: AuditMerge.MergeError.self) { try AuditMerge.merge([("a.json", a), ("b.json", b)]) }
    #expect(throws: AuditMerge.MergeError(description: "backup plain-incr is in both a.json and a2.json")) {
      try AuditMerge.merge([("a.json", a), ("a2.json", a)])
    }
    #expect(throws: AuditMerge.MergeError.self) { try AuditMerge.merge([("x.json", Array("{\"schema\":\"xbinspect.verify/1\"}".utf8))]) }
  }
}
