import Foundation
import Testing
import Inspect
import TestSupport

/// The controls as pure functions of observations: key change across backups, the advisory
/// control 2, summaries and the verdict order; plus the time and catalog parsers they rely on.
@Suite struct ControlsTests {
  static let observed = AuditRunner.run(catalog: AuditFixtures.catalog(), policy: AuditFixtures.policy(keys: [AuditFixtures.aliKey])).backups

  func resource(_ c: [ControlEvaluation], _ id: ControlID, _ backup: String) -> ResourceEvaluation? {
    c.first { $0.id == id }?.resources.first { $0.resourceId == backup }
  }

  /// Observations where both encrypted backups opened with one key each (as the xbcrypt layer reports).
  func withKeys(_ a: String, _ b: String) -> [BackupObservation] {
    Self.observed.map { o in
      var o = o
      guard o.encryptedMemberCount > 0 else { return o }
      let fp = o.id == "enc-incr" ? a : b
      o.keys = [.init(fingerprint: fp, members: o.encryptedMemberCount, ciphers: ["AES256"], versions: ["3"], proofs: ["XBCRYP03 plaintext SHA-256"])]
      o.keyUnverified = []
      o.members = o.members.map { m in var m = m; m.keyFingerprint = fp; return m }
      return o
    }
  }

  @Test func oneKeyAcrossBackupsIsCompliant() {
    let c = Controls.evaluate(withKeys("sha256:1111111111111111", "sha256:1111111111111111"), enabledAt: AuditFixtures.enabledAt)
    #expect(resource(c, .singleKey, "enc-qp")?.status == .compliant)
    #expect(resource(c, .singleKey, "plain-incr")?.status == .notApplicable)
    #expect(AuditVerdict.of(c) == .compliant)
  }

  @Test func aChangedKeyIsNonCompliantOnTheLaterBackup() {
    let c = Controls.evaluate(withKeys("sha256:1111111111111111", "sha256:2222222222222222"), enabledAt: AuditFixtures.enabledAt)
    #expect(resource(c, .singleKey, "enc-incr")?.status == .compliant)
    let later = resource(c, .singleKey, "enc-qp")
    #expect(later?.status == .nonCompliant)
    #expect(later?.code == "audit.key_changed")
    #expect(later?.reason.contains("sha256:1111111111111111") == true)
    #expect(AuditVerdict.of(c) == .nonCompliant)
  }

  @Test func encryptedBackupBeforeTheEnableTimeIsOnlyAWarning() {
    let c = Controls.evaluate(withKeys("sha256:1111111111111111", "sha256:1111111111111111"), enabledAt: AuditFixtures.t("2024-03-01T12:00:00Z"))
    let r = resource(c, .plainBeforeEnable, "enc-incr")
    #expect(r?.status == .nonCompliant)
    #expect(r?.code == "audit.encrypted_before_enable")
    #expect(c.first { $0.id == .plainBeforeEnable }?.advisory == true)
    #expect(AuditVerdict.of(c) == .compliant)
  }

  @Test func integrityWinsOverNonComplianceWhichWinsOverInsufficientData() {
    var obs = withKeys("sha256:1111111111111111", "sha256:2222222222222222")
    obs[0].integrityErrors = 1
    obs[1].time = .init(start: nil, end: nil, source: "none")
    let c = Controls.evaluate(obs, enabledAt: AuditFixtures.enabledAt)
    #expect(AuditVerdict.of(c) == .integrityFailed)
    #expect(AuditVerdict.of(c).exitCode == 1)
    #expect(resource(c, .encryptedAfterEnable, "plain-pxb")?.status == .insufficientData)
  }

  @Test(arguments: [
    ("2024-02-01T00:00:00Z", 1_706_745_600.0), ("2024-02-01T08:00:00+08:00", 1_706_745_600.0),
    ("2024-02-01t00:00:00.250z", 1_706_745_600.25), ("2024-02-01 00:00:00-01:30", 1_706_751_000.0),
  ])
  func rfc3339(_ text: String, _ seconds: Double) {
    #expect(AuditTime.parseRFC3339(text)?.timeIntervalSince1970 == seconds)
  }

  @Test(arguments: ["2024-02-01T00:00:00", "2024-02-30T00:00:00Z", "2024-02-01T24:00:00Z", "2024-02-01T00:00:00+8:00", "yesterday"])
  func rfc3339Rejects(_ text: String) {
    #expect(AuditTime.parseRFC3339(text) == nil)
  }

  @Test func embeddedTimesAreReadInTheGivenZone() {
    #expect(AuditTime.parseEmbedded("2026-12-03 16:31:57", zone: AuditTime.zone("UTC")!).map(AuditTime.format) == "2026-12-03T16:31:57Z")
    #expect(AuditTime.parseEmbedded("2026-12-03 16:31:57", zone: AuditTime.zone("Asia/Shanghai")!).map(AuditTime.format) == "2026-12-03T08:31:57Z")
    #expect(AuditTime.parseEmbedded("2026-12-03T16:31:57", zone: AuditTime.zone("UTC")!) == nil)
  }

  @Test func downloadURLsKeepOnlyHostAndObjectName() {
    let d = DownloadReference(url: "https://user:pw@bucket.oss-cn-hangzhou.aliyuncs.com/custins1/hins1_data_20240101.xb?Expires=1&OSSAccessKeyId=AK&Signature=S%2B")
    #expect(d == DownloadReference(url: "https://bucket.oss-cn-hangzhou.aliyuncs.com/hins1_data_20240101.xb"))
    #expect(d?.host == "bucket.oss-cn-hangzhou.aliyuncs.com")
    #expect(d?.object == "hins1_data_20240101.xb")
  }

  @Test func catalogParsingResolvesRelativePathsAndRejectsBadFields() throws {
    let good = #"{"schema":"xbinspect.catalog/1","backups":[{"id":"a","file":"x.xb","startTime":"2024-01-01T00:00:00Z","sha256":"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"}]}"#
    let e = try Catalog.parseCatalog(Array(good.utf8), baseDirectory: "/srv/backups")
    #expect(e[0].path == "/srv/backups/x.xb")
    #expect(e[0].expectedSHA256 == "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")
    #expect(throws: Catalog.CatalogError("catalog backup a: startTime is not an RFC 3339 time with a zone")) {
      try Catalog.parseCatalog(Array(#"{"backups":[{"id":"a","file":"x","startTime":"2024-01-01"}]}"#.utf8), baseDirectory: "/")
    }
    #expect(throws: Catalog.CatalogError("backup id a appears twice")) {
      try Catalog.parseCatalog(Array(#"{"backups":[{"id":"a","file":"x"},{"id":"a","file":"y"}]}"#.utf8), baseDirectory: "/")
    }
    let map = try Catalog.parseMapping(Array("# id path\n42 b/one.xb\n43\t/abs/two.xb\n".utf8), baseDirectory: "/m")
    #expect(map == ["42": "/m/b/one.xb", "43": "/abs/two.xb"])
  }
}
