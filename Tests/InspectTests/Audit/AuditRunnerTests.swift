import Foundation
import Testing
import Inspect
import TestSupport

/// The audit over the real corpus with catalogs built here (explicit times).
@Suite struct AuditRunnerTests {
  func status(_ r: AuditResult, _ control: ControlID, _ backup: String) -> ControlStatus? {
    r.controls.first { $0.id == control }?.resources.first { $0.resourceId == backup }?.status
  }
  func code(_ r: AuditResult, _ control: ControlID, _ backup: String) -> String? {
    r.controls.first { $0.id == control }?.resources.first { $0.resourceId == backup }?.code
  }

  @Test
  func plainBeforeAndEncryptedAfterIsCompliant() throws {
    let r = AuditRunner.run(catalog: AuditFixtures.catalog(), policy: AuditFixtures.policy(keys: [AuditFixtures.aliKey]))
    #expect(r.verdict == .compliant, "\(r.controls.flatMap(\.resources).filter { $0.status != .compliant && $0.status != .notApplicable })")
    #expect(r.verdict.exitCode == 0)
    for c in r.controls { #expect(c.status == .compliant, "control \(c.number)") }
    let enc = try #require(r.backups.first { $0.id == "enc-incr" })
    #expect(enc.encryption == .encrypted)
    #expect(enc.fingerprints == [AuditFixtures.aliKey.fingerprint])
    #expect(enc.keys.first?.members == enc.encryptedMemberCount)
    #expect(status(r, .encryptedAfterEnable, "plain-incr") == .notApplicable)
    #expect(status(r, .plainBeforeEnable, "plain-incr") == .compliant)
    #expect(status(r, .singleKey, "enc-qp") == .compliant)
  }

  @Test func plainBackupAfterTheEnableTimeBreaksControls1And3() throws {
    var rows = AuditFixtures.standard
    rows[1].2 = "2024-03-05T01:00:00Z"   // plain-pxb now after both encrypted backups
    let r = AuditRunner.run(catalog: AuditFixtures.catalog(rows), policy: AuditFixtures.policy(keys: [AuditFixtures.aliKey]))
    #expect(r.verdict == .nonCompliant)
    #expect(r.verdict.exitCode == 4)
    #expect(status(r, .encryptedAfterEnable, "plain-pxb") == .nonCompliant)
    #expect(code(r, .encryptedAfterEnable, "plain-pxb") == "audit.plain_after_enable")
    #expect(status(r, .neverDisabled, "plain-pxb") == .nonCompliant)
    #expect(code(r, .neverDisabled, "plain-pxb") == "audit.encryption_disabled")
    #expect(status(r, .neverDisabled, "enc-incr") == .compliant)
    #expect(status(r, .neverDisabled, "plain-incr") == .notApplicable)
    #expect(status(r, .encryptedAfterEnable, "enc-qp") == .compliant)
    let plain = try #require(r.backups.first { $0.id == "plain-pxb" })
    #expect(plain.encryption == .plain)
    #expect(plain.plainMembers.count == 4)
  }

  @Test
  func wrongKeyIsKeyUnavailableNotCorruption() throws {
    let r = AuditRunner.run(catalog: AuditFixtures.catalog(), policy: AuditFixtures.policy(keys: [AuditFixtures.wrongKey]))
    #expect(r.verdict == .nonCompliant)
    #expect(r.verdict.exitCode == 4)
    #expect(status(r, .singleKey, "enc-incr") == .nonCompliant)
    #expect(code(r, .singleKey, "enc-incr") == "audit.key_unavailable")
    #expect(status(r, .integrity, "enc-incr") == .insufficientData)
    #expect(status(r, .integrity, "plain-incr") == .compliant)
    let enc = try #require(r.backups.first { $0.id == "enc-incr" })
    #expect(enc.keyUnavailable.count == enc.encryptedMemberCount)
    #expect(enc.integrityErrors == 0)
  }

  @Test func encryptedMembersWithoutAWorkingLayerOrKeyAreInsufficientData() throws {
    let r = AuditRunner.run(catalog: AuditFixtures.catalog(), policy: AuditFixtures.policy(keys: []))
    #expect(status(r, .singleKey, "enc-incr") == .insufficientData)
    #expect(code(r, .singleKey, "enc-incr") == "audit.key_not_verified")
    #expect(status(r, .encryptedAfterEnable, "enc-incr") == .compliant)
    #expect(r.verdict == .insufficientData)
  }

  @Test func describeBackupsDrivesTheSameAudit() throws {
    let dir = try AuditFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var rows = AuditFixtures.standard
    rows[1].2 = "2024-03-05T01:00:00Z"
    let (json, backups) = try AuditFixtures.describeBackups(rows, in: dir)
    let entries = try Catalog.parseDescribeBackups(Corpus.bytes(json), locator: .directory(backups.path))
    #expect(entries.count == 5)
    #expect(entries[0].id == "42000000")
    #expect(entries[0].rds?.backupMethod == "Physical")
    #expect(entries[0].rds?.download == DownloadReference(url: "https://rdsbak-hz-v3.oss-cn-hangzhou.aliyuncs.com/x/" + (entries[0].path as NSString).lastPathComponent))
    #expect(entries[3].rds?.encryption?.contains("EncryptionKey") == true)
    let viaRDS = AuditRunner.run(catalog: Catalog(kind: .describeBackups, entries: entries, source: nil),
                                 policy: AuditFixtures.policy(keys: [AuditFixtures.aliKey]))
    let viaCatalog = AuditRunner.run(catalog: AuditFixtures.catalog(rows), policy: AuditFixtures.policy(keys: [AuditFixtures.aliKey]))
    #expect(viaRDS.verdict == viaCatalog.verdict)
    #expect(viaRDS.controls.map(\.status) == viaCatalog.controls.map(\.status))
    #expect(status(viaRDS, .encryptedAfterEnable, "42000001") == .nonCompliant)
    // Every file matches DescribeBackups' BackupSize: no size warning.
    #expect(!viaRDS.backups.flatMap(\.findings).contains { $0.code == "audit.size_mismatch" })
  }

  @Test func timesComeFromEmbeddedMetadataWhenTheCatalogHasNone() throws {
    let entries = [CatalogEntry(id: "incr", path: Corpus.realFile("mb1011_tiny_incremental_partial.xb").path),
                   CatalogEntry(id: "files", path: Corpus.realFile("xbs_pxb24_create_4files.xb").path)]
    var policy = AuditPolicy(encryptionEnabledAt: AuditFixtures.t("2027-01-01T00:00:00Z"))
    policy.embeddedTimeZone = AuditTime.zone("+08:00")!
    let r = AuditRunner.run(catalog: Catalog(kind: .directory, entries: entries, source: nil), policy: policy)
    let incr = try #require(r.backups.first { $0.id == "incr" })
    #expect(incr.time.source == "embedded")
    // xtrabackup_info start_time = 2026-12-03 16:31:57, read at +08:00.
    #expect(incr.time.start == "2026-12-03T08:31:57Z")
    #expect(incr.time.embeddedFrom == "xtrabackup_info")
    let files = try #require(r.backups.first { $0.id == "files" })
    #expect(files.time.source == "none")
    #expect(files.findings.contains { $0.code == "audit.time_unknown" && $0.category == .evaluation })
    #expect(status(r, .encryptedAfterEnable, "files") == .insufficientData)
    #expect(status(r, .plainBeforeEnable, "incr") == .compliant)
    #expect(r.verdict == .insufficientData)
  }

  @Test func catalogAndEmbeddedTimesBeyondTheToleranceAreAWarning() throws {
    var policy = AuditFixtures.policy(keys: [])
    let entry = CatalogEntry(id: "incr", path: Corpus.realFile("mb1011_tiny_incremental_partial.xb").path,
                             startTime: AuditFixtures.t("2026-12-03T10:00:00Z"))
    policy.tolerance = 3600
    let r = AuditRunner.run(catalog: Catalog(kind: .catalog, entries: [entry], source: nil), policy: policy)
    let f = try #require(r.backups[0].findings.first { $0.code == "audit.time_disagreement" })
    #expect(f.severity == .warning)
    #expect(f.expected == "2026-12-03T10:00:00Z")
    #expect(f.found == "2026-12-03T16:31:57Z")
    policy.tolerance = 24 * 3600
    let relaxed = AuditRunner.run(catalog: Catalog(kind: .catalog, entries: [entry], source: nil), policy: policy)
    #expect(!relaxed.backups[0].findings.contains { $0.code == "audit.time_disagreement" })
  }

  @Test func expectedChecksumMismatchIsAnIntegrityFailure() throws {
    var entry = CatalogEntry(id: "x", path: Corpus.realFile("xbs_pxb24_create_4files.xb").path, startTime: AuditFixtures.t("2024-01-01T00:00:00Z"))
    entry.expectedSHA256 = String(repeating: "0", count: 64)
    let r = AuditRunner.run(catalog: Catalog(kind: .catalog, entries: [entry], source: nil), policy: AuditFixtures.policy(keys: []))
    #expect(status(r, .integrity, "x") == .nonCompliant)
    #expect(code(r, .integrity, "x") == "audit.sha256_mismatch")
    #expect(r.verdict == .integrityFailed)
    #expect(r.verdict.exitCode == 1)
  }

  @Test func missingFileIsInsufficientData() throws {
    let entry = CatalogEntry(id: "gone", path: "/nonexistent/backup.xb", startTime: AuditFixtures.t("2024-03-01T00:00:00Z"))
    let r = AuditRunner.run(catalog: Catalog(kind: .catalog, entries: [entry], source: nil), policy: AuditFixtures.policy(keys: []))
    #expect(r.backups[0].encryption == .unknown)
    #expect(status(r, .encryptedAfterEnable, "gone") == .insufficientData)
    #expect(status(r, .integrity, "gone") == .insufficientData)
    #expect(r.verdict == .insufficientData)
  }
}
