import Foundation

/// The status of one control for one backup, or for the whole set.
public enum ControlStatus: String, Codable, Sendable, CaseIterable {
  case compliant
  case nonCompliant = "non_compliant"
  case notApplicable = "not_applicable"
  case insufficientData = "insufficient_data"
}

/// The five controls an audit evaluates (ApsaraDB RDS "Use backup encryption" rules).
public enum ControlID: String, Codable, Sendable, CaseIterable {
  /// 1. Every backup started at or after the enable time is encrypted, all of it (§6.4 exceptions aside).
  case encryptedAfterEnable = "encrypted_after_enable"
  /// 2. Backups started before it are plain. Advisory: an encrypted one is a warning (wrong enable time or clock).
  case plainBeforeEnable = "plain_before_enable"
  /// 3. Never disabled: no plain backup after the first encrypted one in time order.
  case neverDisabled = "never_disabled"
  /// 4. One key: every encrypted member opens with one and the same supplied key.
  case singleKey = "single_key"
  /// 5. Integrity: the full `verify` of each backup passes.
  case integrity

  public var number: Int { (Self.allCases.firstIndex(of: self) ?? 0) + 1 }
  /// Non-compliance of an advisory control is a warning: it does not change the exit code.
  public var isAdvisory: Bool { self == .plainBeforeEnable }

  public var title: String {
    switch self {
    case .encryptedAfterEnable: "Backups started after encryption was enabled are encrypted, every member (spec §6.4 exceptions named)"
    case .plainBeforeEnable: "Backups started before encryption was enabled are plain (advisory: otherwise a wrong enable time or clock)"
    case .neverDisabled: "Encryption was never disabled: no plain backup after the first encrypted one in time order"
    case .singleKey: "One key: every encrypted member opens with one and the same supplied key"
    case .integrity: "Integrity: the full verification of each backup passes"
    }
  }
}

/// One control's result for one backup.
public struct ResourceEvaluation: Codable, Sendable, Equatable {
  public var resourceId: String
  public var resourceType: String
  public var status: ControlStatus
  /// A stable code for a non-compliant or insufficient result (e.g. `audit.key_unavailable`).
  public var code: String?
  public var reason: String
}

/// One control over all backups: per-backup results and their summary.
public struct ControlEvaluation: Codable, Sendable, Equatable {
  public var id: ControlID
  public var number: Int
  public var title: String
  public var advisory: Bool
  public var status: ControlStatus
  public var counts: [String: Int]
  public var resources: [ResourceEvaluation]

  /// Summary: non_compliant if any backup is, else insufficient_data if any is, else compliant
  /// if any is, else not_applicable.
  static func summarise(_ r: [ResourceEvaluation]) -> ControlStatus {
    let s = Set(r.map(\.status))
    if s.contains(.nonCompliant) { return .nonCompliant }
    if s.contains(.insufficientData) { return .insufficientData }
    if s.contains(.compliant) { return .compliant }
    return .notApplicable
  }
}

/// The overall outcome of an audit and its exit code (DEVELOPERS.md: 1 wins, then 4, then 3).
public enum AuditVerdict: String, Codable, Sendable {
  case compliant
  /// Control 5 failed: some backup is damaged (exit 1).
  case integrityFailed = "integrity_failed"
  /// A non-advisory control is non-compliant (exit 4).
  case nonCompliant = "non_compliant"
  /// Something could not be evaluated (exit 3).
  case insufficientData = "insufficient_data"

  public var exitCode: Int32 {
    switch self { case .compliant: 0; case .integrityFailed: 1; case .nonCompliant: 4; case .insufficientData: 3 }
  }

  public static func of(_ controls: [ControlEvaluation]) -> AuditVerdict {
    if controls.contains(where: { $0.id == .integrity && $0.status == .nonCompliant }) { return .integrityFailed }
    if controls.contains(where: { !$0.advisory && $0.status == .nonCompliant }) { return .nonCompliant }
    if controls.contains(where: { $0.status == .insufficientData }) { return .insufficientData }
    return .compliant
  }
}

/// Evaluates the five controls over a set of backups. A pure function of the observations and the
/// enable time, so a merged set of runs gets exactly the result one run over all backups would.
public enum Controls {
  public static func evaluate(_ backups: [BackupObservation], enabledAt: Date) -> [ControlEvaluation] {
    let c1 = backups.map { encryptedAfterEnable($0, enabledAt) }
    let c2 = backups.map { plainBeforeEnable($0, enabledAt) }
    let c3 = neverDisabled(backups)
    let c4 = singleKey(backups)
    let c5 = backups.map(integrity)
    return zip(ControlID.allCases, [c1, c2, c3, c4, c5]).map { id, r in
      var counts: [String: Int] = [:]
      for s in ControlStatus.allCases { counts[s.rawValue] = r.filter { $0.status == s }.count }
      return ControlEvaluation(id: id, number: id.number, title: id.title, advisory: id.isAdvisory,
                               status: ControlEvaluation.summarise(r), counts: counts, resources: r)
    }
  }

  static func result(_ b: BackupObservation, _ status: ControlStatus, _ code: String? = nil, _ reason: String) -> ResourceEvaluation {
    ResourceEvaluation(resourceId: b.id, resourceType: "backup", status: status, code: code, reason: reason)
  }

  static func list(_ names: [String], max: Int = 5) -> String {
    names.prefix(max).joined(separator: ", ") + (names.count > max ? " and \(names.count - max) more" : "")
  }

  static func exceptionNote(_ b: BackupObservation) -> String {
    b.exceptions.isEmpty ? "" : "; plain by design (§6.4): \(list(b.exceptions.map(\.member)))"
  }

  // MARK: 1 and 2: encryption against the enable time

  static func encryptedAfterEnable(_ b: BackupObservation, _ enabledAt: Date) -> ResourceEvaluation {
    guard let t = b.placedAt else {
      return result(b, .insufficientData, "audit.time_unknown", "cannot place this backup in time: no catalog time and no readable xtrabackup_info / mariadb_backup_info")
    }
    if t < enabledAt { return result(b, .notApplicable, nil, "started \(AuditTime.format(t)), before encryption was enabled") }
    switch b.encryption {
    case .unknown:
      return result(b, .insufficientData, "audit.unreadable", "started after the enable time, but its members could not be read")
    case .encrypted:
      return result(b, .compliant, nil, "started \(AuditTime.format(t)); all \(b.encryptedMemberCount) members that the tool encrypts are encrypted\(exceptionNote(b))")
    case .plain, .partial:
      return result(b, .nonCompliant, "audit.plain_after_enable",
                    "started \(AuditTime.format(t)), after encryption was enabled, but \(b.plainMembers.count) of \(b.memberCount) members are plain: \(list(b.plainMembers))")
    }
  }

  static func plainBeforeEnable(_ b: BackupObservation, _ enabledAt: Date) -> ResourceEvaluation {
    guard let t = b.placedAt else {
      return result(b, .insufficientData, "audit.time_unknown", "cannot place this backup in time")
    }
    if t >= enabledAt { return result(b, .notApplicable, nil, "started \(AuditTime.format(t)), after encryption was enabled") }
    switch b.encryption {
    case .unknown: return result(b, .insufficientData, "audit.unreadable", "its members could not be read")
    case .plain: return result(b, .compliant, nil, "started \(AuditTime.format(t)), before the enable time, and plain")
    case .encrypted, .partial:
      return result(b, .nonCompliant, "audit.encrypted_before_enable",
                    "started \(AuditTime.format(t)), before the enable time, yet \(b.encryptedMemberCount) members are encrypted: the enable time or a clock is wrong (warning)")
    }
  }

  // MARK: 3: never disabled

  static func neverDisabled(_ backups: [BackupObservation]) -> [ResourceEvaluation] {
    let placed = backups.filter { $0.placedAt != nil && $0.encryption != .unknown }
    let firstEncrypted = placed.filter { $0.encryptedMemberCount > 0 }
      .min { ($0.placedAt!, $0.id) < ($1.placedAt!, $1.id) }
    return backups.map { b in
      guard let t = b.placedAt else { return result(b, .insufficientData, "audit.time_unknown", "cannot place this backup in time") }
      guard b.encryption != .unknown else { return result(b, .insufficientData, "audit.unreadable", "its members could not be read") }
      guard let first = firstEncrypted, let firstTime = first.placedAt else {
        return result(b, .notApplicable, nil, "no backup of the set is encrypted")
      }
      if b.id == first.id { return result(b, .compliant, nil, "the first encrypted backup (\(AuditTime.format(t)))") }
      if t < firstTime { return result(b, .notApplicable, nil, "started before the first encrypted backup \(first.id) (\(AuditTime.format(firstTime)))") }
      if b.encryption == .encrypted {
        return result(b, .compliant, nil, "encrypted, after the first encrypted backup \(first.id)")
      }
      return result(b, .nonCompliant, "audit.encryption_disabled",
                    "started \(AuditTime.format(t)), after the first encrypted backup \(first.id) (\(AuditTime.format(firstTime))), but \(b.encryption == .plain ? "plain" : "partly plain"): encryption was disabled")
    }
  }

  // MARK: 4: one key

  static func singleKey(_ backups: [BackupObservation]) -> [ResourceEvaluation] {
    // The reference key: the one of the earliest backup that opened with exactly one key.
    let candidates = backups.filter { $0.keys.count == 1 }
      .sorted { ($0.placedAt ?? .distantFuture, $0.id) < ($1.placedAt ?? .distantFuture, $1.id) }
    let reference = candidates.first
    return backups.map { b in
      if b.encryptedMemberCount == 0 {
        return result(b, b.encryption == .unknown ? .insufficientData : .notApplicable,
                      b.encryption == .unknown ? "audit.unreadable" : nil,
                      b.encryption == .unknown ? "its members could not be read" : "no encrypted member")
      }
      if !b.keyUnavailable.isEmpty {
        return result(b, .nonCompliant, "audit.key_unavailable",
                      "key unavailable: no supplied key opens \(b.keyUnavailable.count) encrypted members (\(list(b.keyUnavailable))); restores of this backup would fail (a disabled or deleted KMS key)")
      }
      if b.keys.count > 1 {
        return result(b, .nonCompliant, "audit.key_changed",
                      "members of this backup need different keys: \(b.keys.map { "\($0.fingerprint) (\($0.members) members)" }.joined(separator: ", "))")
      }
      if !b.keyUnverified.isEmpty || b.keys.isEmpty {
        return result(b, .insufficientData, "audit.key_not_verified",
                      "the key of \(b.keyUnverified.count) encrypted members could not be established (no key given, or the xbcrypt layer could not prove one): \(list(b.keyUnverified))")
      }
      if let code = b.policyErrors.first {
        let f = b.findings.first { $0.code == code }
        return result(b, .nonCompliant, code, "the keys break the policy: \(f?.message ?? code)")
      }
      let fp = b.keys[0].fingerprint
      if let reference, let refKey = reference.keys.first?.fingerprint, refKey != fp {
        return result(b, .nonCompliant, "audit.key_changed",
                      "opened by key \(fp), but backup \(reference.id) was opened by key \(refKey): the key changed")
      }
      return result(b, .compliant, nil, "all \(b.keys[0].members) encrypted members open with key \(fp)")
    }
  }

  // MARK: 5: integrity

  static func integrity(_ b: BackupObservation) -> ResourceEvaluation {
    if b.integrityErrors > 0 {
      let first = b.findings.first { $0.severity == .error && $0.category == .integrity && !b.keyUnavailable.contains($0.memberFinal ?? "\u{0}") }
      return result(b, .nonCompliant, first?.code ?? "audit.integrity",
                    "\(b.integrityErrors) integrity errors\(first.map { "; first: \($0.summaryLine)" } ?? "")")
    }
    if b.encryption == .unknown || b.evaluationErrors > 0 {
      let first = b.findings.first { $0.severity == .error && $0.category == .evaluation }
      return result(b, .insufficientData, first?.code ?? "audit.unreadable",
                    "could not be verified in full\(first.map { ": \($0.message)" } ?? "")")
    }
    if !b.keyUnavailable.isEmpty {
      return result(b, .insufficientData, "audit.key_unavailable",
                    "\(b.keyUnavailable.count) members could not be decrypted, so their content is unchecked (a key problem, not corruption)")
    }
    if !b.keyUnverified.isEmpty {
      return result(b, .insufficientData, "audit.key_not_verified",
                    "\(b.keyUnverified.count) encrypted members could not be decrypted, so their content is unchecked")
    }
    return result(b, .compliant, nil, "verified: \(b.memberCount) members, every checksum passed")
  }
}
