import Foundation
import Testing
@testable import xbinspect
import Inspect
import TestSupport

/// `audit`, `evidence verify` and `report merge` in-process: exit codes, evidence files, the
/// signature as openssl checks it, and the download URL secret kept out of every output.
@Suite struct AuditCommandTests {
  func run(_ args: [String]) -> (Int32, Console) {
    let console = Console(capture: true)
    return (Command.run(args, console: console, environment: [:]), console)
  }

  /// A temporary directory with our catalog JSON for `rows`, the KMS plaintext file, and an
  /// Ed25519 key pair made by openssl when it is installed.
  struct Workspace {
    let dir: URL
    var path: String { dir.path }
    func file(_ name: String) -> String { dir.appendingPathComponent(name).path }

    init(_ rows: [(String, String, String)] = AuditFixtures.standard) throws {
      dir = try AuditFixtures.temporaryDirectory()
      let backups = rows.map { ["id": $0.0, "file": Corpus.realFile($0.1).path, "startTime": $0.2] }
      try JSONSerialization.data(withJSONObject: ["schema": "xbinspect.catalog/1", "backups": backups]).write(to: dir.appendingPathComponent("catalog.json"))
      try Data(AuditFixtures.kmsPlaintext.utf8).write(to: dir.appendingPathComponent("kms.txt"))
      try Data("0123456789ABCDEF0123456789abcdef".utf8).write(to: dir.appendingPathComponent("wrong.key"))
    }
    func remove() { try? FileManager.default.removeItem(at: dir) }
  }

  static let openssl: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

  @discardableResult
  static func openssl(_ args: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: openssl!)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
  }

  func base(_ w: Workspace) -> [String] {
    ["audit", "--catalog", w.file("catalog.json"), "--encryption-enabled-at", "2024-02-01T00:00:00Z"]
  }

  @Test
  func compliantSetExitsZero() throws {
    let w = try Workspace(); defer { w.remove() }
    let (rc, c) = run(base(w) + ["--kms-plaintext-file", w.file("kms.txt"), "--json", w.file("e.json"), "--junit", w.file("e.xml")])
    #expect(rc == 0, "\(c.stdoutText)")
    #expect(c.stdoutText.contains("audit verdict: COMPLIANT (exit 0)"))
    let ev = try String(contentsOfFile: w.file("e.json"), encoding: .utf8)
    #expect(ev.contains("\"verdict\" : \"compliant\""))
    #expect(ev.contains(AuditFixtures.aliKey.fingerprint))
  }

  @Test func plainBackupAfterEnableExitsFour() throws {
    var rows = AuditFixtures.standard
    rows[1].2 = "2024-03-05T01:00:00Z"
    let w = try Workspace(rows); defer { w.remove() }
    let (rc, c) = run(base(w) + ["--kms-plaintext-file", w.file("kms.txt")])
    #expect(rc == 4)
    #expect(c.stdoutText.contains("control 1 encrypted_after_enable: non_compliant"))
    #expect(c.stdoutText.contains("control 3 never_disabled: non_compliant"))
    #expect(c.stdoutText.contains("audit verdict: NON-COMPLIANT (exit 4)"))
  }

  @Test
  func wrongKeyExitsFourWithKeyUnavailable() throws {
    let w = try Workspace(); defer { w.remove() }
    let (rc, c) = run(base(w) + ["--key-file", w.file("wrong.key")])
    #expect(rc == 4)
    #expect(c.stdoutText.contains("control 4 single_key: non_compliant"))
    #expect(c.stdoutText.contains("key unavailable"))
  }

  @Test func describeBackupsDrivesTheAuditAndTheURLSecretStaysOut() throws {
    let w = try Workspace(); defer { w.remove() }
    var rows = AuditFixtures.standard
    rows[1].2 = "2024-03-05T01:00:00Z"
    let (json, backups) = try AuditFixtures.describeBackups(rows, in: w.dir)
    let (rc, c) = run(["audit", "--describe-backups", json.path, "--backup-dir", backups.path,
                       "--encryption-enabled-at", "2024-02-01T00:00:00Z", "--kms-plaintext-file", w.file("kms.txt"),
                       "--json", w.file("e.json"), "--junit", w.file("e.xml")])
    #expect(rc == 4)
    #expect(c.stdoutText.contains("42000001"))
    let ev = try String(contentsOfFile: w.file("e.json"), encoding: .utf8)
    let xml = try String(contentsOfFile: w.file("e.xml"), encoding: .utf8)
    for out in [c.stdoutText, c.stderrText, ev, xml] {
      #expect(!out.contains("SECRETsig"))
      #expect(!out.contains("LTAIsecretAccessKey"))
      #expect(!out.contains("Expires="))
    }
    #expect(ev.contains("\"host\" : \"rdsbak-hz-v3.oss-cn-hangzhou.aliyuncs.com\""))
    #expect(ev.contains("\"kind\" : \"describe-backups\""))
  }

  @Test(.disabled(if: openssl == nil, "openssl is not installed"))
  func signatureVerifiesWithOpensslAndFailsAfterAByteFlip() throws {
    let w = try Workspace([AuditFixtures.standard[1]]); defer { w.remove() }
    try Self.openssl(["genpkey", "-algorithm", "ed25519", "-out", w.file("sign.pem")])
    try Self.openssl(["pkey", "-in", w.file("sign.pem"), "-pubout", "-out", w.file("pub.pem")])
    let (rc, _) = run(base(w) + ["--json", w.file("r.json"), "--sign-key", w.file("sign.pem")])
    #expect(rc == 0)
    let sig = try Data(contentsOf: URL(fileURLWithPath: w.file("r.json.sig")))
    #expect(sig.count == 64)
    let verify = ["pkeyutl", "-verify", "-pubin", "-inkey", w.file("pub.pem"), "-rawin", "-in", w.file("r.json"), "-sigfile", w.file("r.json.sig")]
    #expect(try Self.openssl(verify) == 0)
    let (ok, okConsole) = run(["evidence", "verify", "--json", w.file("r.json"), "--sig", w.file("r.json.sig"), "--pubkey", w.file("pub.pem")])
    #expect(ok == 0)
    #expect(okConsole.stdoutText.hasPrefix("signature OK"))
    var bytes = try Data(contentsOf: URL(fileURLWithPath: w.file("r.json")))
    bytes[bytes.count / 2] ^= 0x01
    try bytes.write(to: URL(fileURLWithPath: w.file("r.json")))
    #expect(try Self.openssl(verify) != 0)
    let (bad, badConsole) = run(["evidence", "verify", "--json", w.file("r.json"), "--sig", w.file("r.json.sig"), "--pubkey", w.file("pub.pem")])
    #expect(bad == 1)
    #expect(badConsole.stdoutText.hasPrefix("signature INVALID"))
  }

  @Test func mergeOfSeparateRunsRecomputesNeverDisabled() throws {
    var rows = AuditFixtures.standard
    rows[1].2 = "2024-03-05T01:00:00Z"
    let w = try Workspace(); defer { w.remove() }
    var reports: [String] = []
    for (i, row) in rows.enumerated() {
      let one = try Workspace([row]); defer { one.remove() }
      let out = w.file("run\(i).json")
      _ = run(base(one) + ["--kms-plaintext-file", w.file("kms.txt"), "--json", out, "--quiet"])
      reports.append(out)
    }
    let (rc, c) = run(["report", "merge", "--json", w.file("merged.json"), "--junit", w.file("merged.xml")] + reports)
    #expect(rc == 4)
    #expect(c.stdoutText.contains("control 3 never_disabled: non_compliant"))
    let merged = try String(contentsOfFile: w.file("merged.json"), encoding: .utf8)
    #expect(merged.contains("\"mergedFrom\""))
    let xml = try String(contentsOfFile: w.file("merged.xml"), encoding: .utf8)
    #expect(xml.components(separatedBy: "<testsuite ").count - 1 == 5)
  }

  @Test(arguments: [
    ["audit", "--encryption-enabled-at", "2024-02-01T00:00:00Z"],
    ["audit", "/tmp", "--catalog", "c.json", "--encryption-enabled-at", "2024-02-01T00:00:00Z"],
    ["audit", "/tmp"],
    ["audit", "/tmp", "--encryption-enabled-at", "2024-02-01 00:00:00"],
    ["audit", "/tmp", "--encryption-enabled-at", "2024-02-01T00:00:00Z", "--tolerance", "soon"],
    ["audit", "/tmp", "--encryption-enabled-at", "2024-02-01T00:00:00Z", "--embedded-time-zone", "Mars/Olympus"],
    ["audit", "--describe-backups", "d.json", "--encryption-enabled-at", "2024-02-01T00:00:00Z"],
    ["audit", "/tmp", "--encryption-enabled-at", "2024-02-01T00:00:00Z", "--sign-key", "k.pem"],
    ["evidence", "verify", "--json", "r.json"],
    ["report", "merge"],
  ])
  func usageErrorsExitTwo(_ args: [String]) {
    let (rc, c) = run(args)
    #expect(rc == 2)
    #expect(c.stderrText.contains("Try 'xbinspect --help'."))
  }
}
