import Foundation
import Formats
import Inspect
import Report

/// `xbinspect audit`: catalog + policy → ``AuditRunner`` → evidence (JSON, optionally signed),
/// JUnit, the human table, and the exit code of the audit verdict.
enum AuditCommand {
  static let flags: Set<String> = ["--quiet"]
  static let valued: Set<String> = ["--catalog", "--describe-backups", "--backup-dir", "--backup-map",
                                    "--encryption-enabled-at", "--policy", "--key-file", "--kms-plaintext-file",
                                    "--cipher", "--tolerance", "--embedded-time-zone", "--dialect",
                                    "--json", "--junit", "--sign-key"]

  static func run(_ args: [String], console: Console, environment: [String: String]) throws(UsageError) -> Int32 {
    let a = try Arguments(args, flags: flags, valued: valued, optionalValue: ["--key-env"])
    let catalog = try loadCatalog(a)
    let policy = try loadPolicy(a, environment: environment)
    var dialect = XbstreamDialect.auto
    if let d = try a.value("--dialect") {
      guard let v = XbstreamDialect(rawValue: d) else { throw UsageError("--dialect must be auto, percona or mariadb, not \(d)") }
      dialect = v
    }
    let output = try OutputOptions(a)
    let summary: (String) -> Void = output.usesStdout ? console.err : console.out
    let result = AuditRunner.run(catalog: catalog, policy: policy, dialect: dialect)
    let written = output.write(result, mergedFrom: nil, console: console)
    for line in AuditTableWriter.lines(result, quiet: a.has("--quiet")) { summary(line) }
    return written || result.verdict != .compliant ? result.verdict.exitCode : ExitCode.couldNotEvaluate
  }

  // MARK: Catalog

  static func loadCatalog(_ a: Arguments) throws(UsageError) -> Catalog {
    let catalogFile = try a.value("--catalog"), describe = try a.value("--describe-backups")
    let backupDir = try a.value("--backup-dir"), backupMap = try a.value("--backup-map")
    let given = [catalogFile != nil, describe != nil, !a.operands.isEmpty].filter { $0 }.count
    guard given == 1 else { throw UsageError("audit needs exactly one of: DIR, --catalog FILE, --describe-backups FILE") }
    guard a.operands.count <= 1 else { throw UsageError("audit takes one directory, not \(a.operands.count) operands") }
    if describe == nil && (backupDir != nil || backupMap != nil) {
      throw UsageError("--backup-dir and --backup-map go with --describe-backups")
    }
    return try UsageError.converting { () throws -> Catalog in
      if let f = catalogFile {
        let bytes = try read(f, what: "catalog")
        return Catalog(kind: .catalog, entries: try Catalog.parseCatalog(bytes, baseDirectory: directory(of: f)),
                       source: .init(kind: .catalog, path: f, sha256: SHA256.hash(bytes).hexString))
      }
      if let f = describe {
        let locator: Catalog.FileLocator
        switch (backupDir, backupMap) {
        case (let d?, nil): locator = .directory(d)
        case (nil, let m?): locator = .mapping(try Catalog.parseMapping(try read(m, what: "mapping"), baseDirectory: directory(of: m)))
        default: throw UsageError("--describe-backups needs one of --backup-dir DIR or --backup-map FILE")
        }
        let bytes = try read(f, what: "DescribeBackups")
        return Catalog(kind: .describeBackups, entries: try Catalog.parseDescribeBackups(bytes, locator: locator),
                       source: .init(kind: .describeBackups, path: f, sha256: SHA256.hash(bytes).hexString))
      }
      let dir = a.operands[0]
      return Catalog(kind: .directory, entries: try Catalog.listDirectory(dir), source: .init(kind: .directory, path: dir, sha256: nil))
    }
  }

  // MARK: Policy

  static func loadPolicy(_ a: Arguments, environment: [String: String]) throws(UsageError) -> AuditPolicy {
    var fromFile = AuditPolicy.FileContents()
    var record: AuditPolicy.FileRecord?
    if let f = try a.value("--policy") {
      let bytes = try read(f, what: "policy", limit: AuditPolicy.maxFileLength)
      switch Result(catching: { () throws(AuditPolicy.PolicyError) in try AuditPolicy.parseFile(bytes, baseDirectory: directory(of: f)) }) {
      case .success(let c): fromFile = c
      case .failure(let e): throw UsageError(e.description)
      }
      record = .init(path: f, sha256: SHA256.hash(bytes).hexString)
    }
    var enabledAt = fromFile.encryptionEnabledAt
    if let t = try a.value("--encryption-enabled-at") {
      guard let d = AuditTime.parseRFC3339(t) else {
        throw UsageError("--encryption-enabled-at needs an RFC 3339 time with a zone (2024-05-01T08:00:00Z), not \(t)")
      }
      enabledAt = d
    }
    guard let enabledAt else { throw UsageError("audit needs --encryption-enabled-at RFC3339 (or a --policy file that sets it)") }
    var p = AuditPolicy(encryptionEnabledAt: enabledAt)
    p.file = record
    p.keys = fromFile.keys
    p.cipher = fromFile.cipher
    p.tolerance = fromFile.tolerance ?? AuditPolicy.defaultTolerance
    p.embeddedTimeZone = fromFile.embeddedTimeZone ?? p.embeddedTimeZone
    if let c = try a.value("--cipher") {
      guard let v = AESVariant(rawValue: c.uppercased().replacingOccurrences(of: "-", with: "")) else {
        throw UsageError("--cipher must be AES128, AES192 or AES256, not \(c)")
      }
      p.cipher = v
    }
    if let t = try a.value("--tolerance") {
      guard let v = AuditPolicy.parseTolerance(t) else { throw UsageError("--tolerance needs hours (24, 24h) or 90m / 3600s, not \(t)") }
      p.tolerance = v
    }
    if let z = try a.value("--embedded-time-zone") {
      guard let v = AuditTime.zone(z) else { throw UsageError("--embedded-time-zone needs an IANA zone (Asia/Shanghai), UTC or ±HH:MM, not \(z)") }
      p.embeddedTimeZone = v
    }
    try UsageError.converting {
      for f in a.values("--key-file") { p.keys.append(try KeyLoader.fromFile(f)) }
      for f in a.values("--kms-plaintext-file") { p.keys.append(try KeyLoader.fromKMSPlaintextFile(f)) }
      if let v = try a.value("--key-env") {
        p.keys.append(try KeyLoader.fromEnvironment(v.isEmpty ? "XBCRYPT_ENCRYPTION_KEY" : v, environment: environment))
      }
    }
    // The same key given twice is one candidate.
    var seen = Set<String>()
    p.keys = p.keys.filter { seen.insert($0.fingerprint).inserted }
    return p
  }

  // MARK: Files

  /// A catalog, mapping, policy, report or PEM file, read whole up to `limit` bytes (BoundedFile).
  static func read(_ path: String, what: String, limit: Int = Catalog.maxFileLength) throws(UsageError) -> [UInt8] {
    switch BoundedFile.read(path, limit: limit) {
    case .success(let bytes): return bytes
    case .failure(.unreadable(let reason)): throw UsageError("cannot read \(what) file \(path): \(reason)")
    case .failure(.tooLarge(let limit)): throw UsageError("\(what) file \(path) is larger than \(limit) bytes")
    }
  }

  static func directory(of path: String) -> String {
    let d = (path as NSString).deletingLastPathComponent
    return d.isEmpty ? "." : d
  }
}

/// `--json`, `--junit`, `--sign-key` of `audit` and `report merge`: writes the evidence, its
/// detached signature and the JUnit file.
struct OutputOptions {
  var json: String?
  var junit: String?
  var signer: Ed25519Signer?

  var usesStdout: Bool { json == "-" || junit == "-" }

  init(_ a: Arguments) throws(UsageError) {
    json = try a.value("--json")
    junit = try a.value("--junit")
    if json == "-" && junit == "-" { throw UsageError("--json - and --junit - cannot both write to stdout") }
    if let k = try a.value("--sign-key") {
      guard let json, json != "-" else { throw UsageError("--sign-key needs --json FILE (the signature goes to FILE.sig)") }
      do { signer = try Ed25519Signer(privateKeyPEM: try AuditCommand.read(k, what: "signing key")) } catch let e as SignatureError {
        throw UsageError("--sign-key \(k): \(e.description)")
      } catch let e as UsageError { throw e } catch { throw UsageError("\(error)") }
    }
  }

  /// Writes what was asked; false (after saying why) when something could not be written.
  func write(_ result: AuditResult, mergedFrom: [AuditEvidence.MergeSource]?, console: Console) -> Bool {
    var ok = true
    if let json {
      let signing = signer.map { AuditEvidence.Signing(publicKeySha256: $0.publicKeyFingerprint,
                                                      signatureFile: (json as NSString).lastPathComponent + ".sig") }
      let evidence = AuditEvidence(result, host: ProcessInfo.processInfo.hostName, signing: signing, mergedFrom: mergedFrom)
      do {
        let bytes = try AuditJSONWriter.render(evidence)
        ok = VerifyCommand.emit({ bytes }, to: json, what: "JSON", console) == nil && ok
        if let signer {
          let signature = try signer.sign(bytes)
          if let problem = FileWriter.write(signature, to: json + ".sig") { console.err("xbinspect: \(problem)"); ok = false }
        }
      } catch {
        console.err("xbinspect: cannot render or sign the evidence: \(error)"); ok = false
      }
    }
    if let junit {
      ok = VerifyCommand.emit({ try AuditJUnitWriter.render(result) }, to: junit, what: "JUnit", console) == nil && ok
    }
    return ok
  }
}
