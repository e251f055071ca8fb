#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Formats

/// The outcome of an audit: the policy, each backup's observation, the five controls.
public struct AuditResult: Sendable {
  public var policy: AuditPolicy.Record
  public var catalog: Catalog.SourceRecord?
  public var backups: [BackupObservation]
  public var controls: [ControlEvaluation]
  public var startedAt: Date
  public var endedAt: Date
  public var verdict: AuditVerdict { AuditVerdict.of(controls) }

  public init(policy: AuditPolicy.Record, catalog: Catalog.SourceRecord?, backups: [BackupObservation],
              startedAt: Date, endedAt: Date) {
    self.policy = policy; self.catalog = catalog; self.backups = backups
    self.startedAt = startedAt; self.endedAt = endedAt
    let enabled = AuditTime.parseRFC3339(policy.encryptionEnabledAt) ?? .distantPast
    controls = Controls.evaluate(backups, enabledAt: enabled)
  }
}

/// Runs an audit: verifies each catalogued backup with the policy's keys (one at a time, streamed),
/// places it in time, and evaluates the controls.
public enum AuditRunner {
  /// Members the real tools leave plain in an encrypted backup (spec §6.4), by final file name.
  public static let plainByDesign: [String: String] = [
    "xtrabackup_checkpoints": "PXB 8.0 writes the meta files plain under --encrypt (spec §6.4)",
    "mariadb_backup_checkpoints": "MariaDB name of xtrabackup_checkpoints, plain like it (spec §6.4, §6.5)",
    "backup_metadata.json": "always plain (spec §6.3, 9.7-dev)",
  ]
  /// Incremental `.meta` files are plain in PXB 8.0 encrypted backups too (§6.4).
  public static let plainByDesignSuffix = (".meta", "incremental .meta file: PXB 8.0 writes it plain under --encrypt (spec §6.4)")

  /// Codes the xbcrypt layer uses when a key does not open a member.
  static func isWrongKey(_ code: String) -> Bool { code.contains("wrong_key") }

  public static func run(catalog: Catalog, policy: AuditPolicy, dialect: XbstreamDialect = .auto,
                         progress: ((String) -> Void)? = nil) -> AuditResult {
    let started = Date()
    var options = VerifyOptions()
    options.keys = policy.keys
    options.assertedCipher = policy.cipher
    options.dialect = dialect
    options.computeDigests = true
    var observations: [BackupObservation] = []
    for entry in catalog.entries {
      progress?(entry.id)
      let report = verify(entry, options: options)
      observations.append(observe(report, entry: entry, policy: policy))
    }
    return AuditResult(policy: policy.record, catalog: catalog.source, backups: observations,
                       startedAt: started, endedAt: Date())
  }

  static func verify(_ entry: CatalogEntry, options: VerifyOptions) -> InputReport {
    let name = entry.path.isEmpty ? entry.id : (entry.path as NSString).lastPathComponent
    if let problem = entry.locateProblem {
      var r = InputReport.unreadable(name: name, path: entry.path, reason: problem)
      r.findings[0].code = "audit.file_missing"
      return r
    }
    let fd = open(entry.path, O_RDONLY | O_CLOEXEC)
    var st = stat()
    if fd < 0 || fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG {
      let reason = fd < 0 ? String(cString: strerror(errno)) : "not a regular file"
      if fd >= 0 { close(fd) }
      return InputReport.unreadable(name: name, path: entry.path, reason: "cannot open \(entry.path): \(reason)")
    }
    defer { close(fd) }
    var source = FileDescriptorSource(fd: fd)
    return Verifier.verify(source: &source, name: name, path: entry.path, options: options)
  }

  /// Turns one verification into what the controls read, adding the audit's per-backup findings.
  public static func observe(_ r: InputReport, entry: CatalogEntry, policy: AuditPolicy) -> BackupObservation {
    // The internal member link means nothing outside this run (and would not survive a merge).
    var findings = r.findings.map { f in var f = f; f.memberID = nil; return f }
    func add(_ code: String, _ severity: Severity, _ category: FindingCategory, _ message: String,
             expected: String? = nil, found: String? = nil) {
      findings.append(Finding(code: code, severity: severity, category: category, layer: "audit", message: message,
                              expected: expected, found: found))
    }
    let inputEncrypted = r.layers.contains { $0.hasPrefix("xbcrypt") }
    let wrongKeyMembers = Set(r.findings.filter { isWrongKey($0.code) }.compactMap { $0.memberFinal ?? $0.member })

    // Members: encrypted or plain, exceptions, keys.
    var summaries: [BackupObservation.MemberSummary] = []
    var plain: [String] = [], exceptions: [BackupObservation.PlainException] = []
    var unavailable: [String] = [], unverified: [String] = []
    var keyUses: [String: BackupObservation.KeyUse] = [:]
    var encryptedCount = 0
    let anyEncrypted = inputEncrypted || r.members.contains { isEncrypted($0) }
    for m in r.members {
      let encrypted = inputEncrypted || isEncrypted(m)
      var s = BackupObservation.MemberSummary(path: m.path, encrypted: encrypted, keyFingerprint: nil, exception: nil)
      if encrypted {
        encryptedCount += 1
        let fp = m.facts["xbcrypt.keyFingerprint"]
        let proof = m.facts["xbcrypt.keyVerified"]
        if wrongKeyMembers.contains(m.path) || wrongKeyMembers.contains(m.storedAs) {
          unavailable.append(m.path)
        } else if let fp, !isNegative(proof) {
          s.keyFingerprint = fp
          var use = keyUses[fp] ?? .init(fingerprint: fp, members: 0, ciphers: [], versions: [], proofs: [])
          use.members += 1
          for (value, keyPath) in [(m.facts["xbcrypt.cipher"], \BackupObservation.KeyUse.ciphers),
                                   (m.facts["xbcrypt.version"], \.versions), (proof, \.proofs)] {
            // "XBCRYP03 plaintext SHA-256 (6 of 6 chunks)" → one entry per kind of proof, not per count.
            guard let value = value.map({ String($0.split(separator: " (").first ?? Substring($0)) }) else { continue }
            if !use[keyPath: keyPath].contains(value) { use[keyPath: keyPath].append(value) }
          }
          keyUses[fp] = use
          if let want = policy.cipher, let have = m.facts["xbcrypt.cipher"], !cipherMatches(have, want) {
            add("audit.cipher_mismatch", .error, .policy, "member \(m.path) is encrypted with \(have), the policy requires \(want.rawValue)",
                expected: want.rawValue, found: have)
          }
        } else {
          unverified.append(m.path)
        }
      } else if anyEncrypted, let reason = exceptionReason(m.path) {
        exceptions.append(.init(member: m.path, reason: reason))
        s.exception = true
      } else {
        plain.append(m.path)
      }
      summaries.append(s)
    }
    let state: BackupObservation.EncryptionState =
      r.members.isEmpty || r.findings.contains(where: { $0.code == "input.unreadable" || $0.code == "audit.file_missing" }) ? .unknown
      : encryptedCount == 0 ? .plain : plain.isEmpty ? .encrypted : .partial

    // Time: catalog, else embedded metadata.
    var timing = BackupObservation.Timing(start: nil, end: nil, source: "none")
    timing.catalogStart = entry.startTime.map(AuditTime.format)
    timing.catalogEnd = entry.endTime.map(AuditTime.format)
    if let info = r.members.first(where: { $0.path == "xtrabackup_info" || $0.path == "mariadb_backup_info" }) {
      for (key, set) in [("meta.start_time", \BackupObservation.Timing.embeddedStart), ("meta.end_time", \.embeddedEnd)] {
        guard let text = info.facts[key] else { continue }
        if let d = AuditTime.parseEmbedded(text, zone: policy.embeddedTimeZone) {
          timing[keyPath: set] = AuditTime.format(d)
          timing.embeddedFrom = info.path
        } else {
          add("audit.embedded_time_invalid", .warning, .evaluation,
              "\(info.path) \(key.dropFirst(5)) is not 'YYYY-MM-DD HH:MM:SS'", found: ByteText.preview(Array(text.utf8.prefix(40))))
        }
      }
    }
    if timing.catalogStart != nil || timing.catalogEnd != nil {
      timing.source = "catalog"; timing.start = timing.catalogStart; timing.end = timing.catalogEnd
    } else if timing.embeddedStart != nil || timing.embeddedEnd != nil {
      timing.source = "embedded"; timing.start = timing.embeddedStart; timing.end = timing.embeddedEnd
    }
    for (c, e, what) in [(timing.catalogStart, timing.embeddedStart, "start"), (timing.catalogEnd, timing.embeddedEnd, "end")] {
      guard let c, let e, let cd = AuditTime.parseRFC3339(c), let ed = AuditTime.parseRFC3339(e) else { continue }
      if abs(cd.timeIntervalSince(ed)) > policy.tolerance {
        add("audit.time_disagreement", .warning, .evaluation,
            "catalog \(what) time and \(timing.embeddedFrom ?? "embedded") \(what)_time differ by \(Int(abs(cd.timeIntervalSince(ed))))s, more than the tolerance of \(Int(policy.tolerance))s (embedded times read in \(AuditPolicy.zoneName(policy.embeddedTimeZone)))",
            expected: c, found: e)
      }
    }
    if timing.start == nil && timing.end == nil && state != .unknown {
      add("audit.time_unknown", .error, .evaluation,
          "cannot place this backup in time: the catalog gives no time and it holds no readable xtrabackup_info / mariadb_backup_info start_time")
    }

    // Catalogue cross-checks.
    if let want = entry.expectedSHA256, let have = r.sha256, want != have {
      add("audit.sha256_mismatch", .error, .integrity, "the file's SHA-256 differs from the catalog's", expected: want, found: have)
    }
    if let size = entry.rds?.backupSize, state != .unknown, size != r.size {
      add("audit.size_mismatch", .warning, .integrity, "the file is \(r.size) bytes, DescribeBackups says BackupSize \(size)",
          expected: "\(size)", found: "\(r.size)")
    }

    let excused = Set(unavailable)
    func countable(_ f: Finding) -> Bool {
      f.severity == .error && !isWrongKey(f.code) && !excused.contains(f.memberFinal ?? "\u{0}")
    }
    let policyErrors = findings.filter { countable($0) && $0.category == .policy }
    return BackupObservation(
      id: entry.id, file: entry.path, size: r.size, sha256: r.sha256, expectedSHA256: entry.expectedSHA256,
      time: timing, layers: r.layers, encryption: state, memberCount: r.members.count,
      encryptedMemberCount: encryptedCount, plainMembers: plain, exceptions: exceptions,
      keys: keyUses.values.sorted { $0.fingerprint < $1.fingerprint }, keyUnavailable: unavailable,
      keyUnverified: unverified,
      integrityErrors: findings.filter { countable($0) && $0.category == .integrity }.count,
      evaluationErrors: findings.filter { countable($0) && $0.category == .evaluation && $0.code != "audit.time_unknown" }.count,
      policyErrors: policyErrors.map(\.code),
      rds: entry.rds, members: summaries, findings: findings)
  }

  static func isEncrypted(_ m: InputReport.Member) -> Bool {
    m.layers.contains { $0.hasPrefix("xbcrypt") } || m.innerLayer.hasPrefix("xbcrypt")
  }

  static func isNegative(_ proof: String?) -> Bool {
    guard let p = proof?.lowercased() else { return false }
    return ["no", "false", "unverified", "unproven", "none"].contains(p)
  }

  static func exceptionReason(_ path: String) -> String? {
    let base = path.split(separator: "/").last.map(String.init) ?? path
    if let r = plainByDesign[base] { return r }
    if base.hasSuffix(plainByDesignSuffix.0) { return plainByDesignSuffix.1 }
    return nil
  }

  static func cipherMatches(_ have: String, _ want: AESVariant) -> Bool {
    let digits = String(want.rawValue.dropFirst(3))
    return have.uppercased().contains(digits)
  }
}
