import Foundation
import Inspect

/// The audit evidence document, schema `xbinspect.audit/1` (Schemas/audit-evidence.schema.json).
///
/// Shaped like an AWS Backup Audit Manager report: framework → control → resource → status, plus
/// who evaluated what and when (tool version, UTC evaluation time, host), the policy and its
/// file's SHA-256, each backup's size and SHA-256, the keys by length and fingerprint (never the
/// key), every finding, and each backup's ``BackupObservation`` (what `report merge` re-evaluates).
///
/// Deterministic for given inputs apart from the times and the host: keys are sorted, backups
/// keep catalog order. The bytes written are the bytes signed (`--sign-key`).
public struct AuditEvidence: Codable, Sendable {
  public static let schemaID = "xbinspect.audit/1"
  public static let frameworkName = "xbinspect RDS backup encryption"
  public static let frameworkVersion = "1"

  public struct Tool: Codable, Sendable { public var name: String; public var version: String }
  public struct Framework: Codable, Sendable {
    public var name: String
    public var version: String
    public var status: ControlStatus
    public var controls: [ControlEvaluation]
  }
  /// The signing key the evidence says it is signed with (the signature itself is detached).
  public struct Signing: Codable, Sendable, Equatable {
    public var algorithm: String
    public var publicKeySha256: String
    public var signatureFile: String
    public init(algorithm: String = "Ed25519", publicKeySha256: String, signatureFile: String) {
      self.algorithm = algorithm; self.publicKeySha256 = publicKeySha256; self.signatureFile = signatureFile
    }
  }
  /// One report folded into a merged report.
  public struct MergeSource: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String
    public var evaluatedAt: String
    public var host: String
    public var policySha256: String?
    public var backups: [String]
  }
  public struct Counts: Codable, Sendable {
    public var backups: Int, errors: Int, warnings: Int, infos: Int
  }

  public var schema: String
  public var tool: Tool
  public var evaluatedAt: String
  public var startedAt: String
  public var endedAt: String
  public var host: String
  public var verdict: AuditVerdict
  public var exitCode: Int32
  public var policy: AuditPolicy.Record
  public var catalog: Catalog.SourceRecord?
  public var signing: Signing?
  public var mergedFrom: [MergeSource]?
  public var framework: Framework
  public var backups: [BackupObservation]
  public var counts: Counts

  public init(_ result: AuditResult, host: String, evaluatedAt: Date = Date(), signing: Signing? = nil,
              mergedFrom: [MergeSource]? = nil) {
    let all = result.backups.flatMap(\.findings)
    schema = Self.schemaID
    tool = Tool(name: ToolInfo.name, version: ToolInfo.version)
    self.evaluatedAt = Timestamp.utc(evaluatedAt)
    startedAt = Timestamp.utc(result.startedAt)
    endedAt = Timestamp.utc(result.endedAt)
    self.host = host
    verdict = result.verdict
    exitCode = result.verdict.exitCode
    policy = result.policy
    catalog = result.catalog
    self.signing = signing
    self.mergedFrom = mergedFrom
    let summary: ControlStatus = result.controls.contains { !$0.advisory && $0.status == .nonCompliant } ? .nonCompliant
      : result.controls.contains { $0.status == .insufficientData } ? .insufficientData
      : result.controls.contains { $0.status == .compliant } ? .compliant : .notApplicable
    framework = Framework(name: Self.frameworkName, version: Self.frameworkVersion, status: summary, controls: result.controls)
    backups = result.backups
    counts = Counts(backups: result.backups.count, errors: all.filter { $0.severity == .error }.count,
                    warnings: all.filter { $0.severity == .warning }.count, infos: all.filter { $0.severity == .info }.count)
  }
}

/// Renders and reads ``AuditEvidence`` JSON.
public enum AuditJSONWriter {
  public static func render(_ evidence: AuditEvidence) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = Array(try encoder.encode(evidence))
    data.append(0x0A)
    return data
  }

  public struct ReadError: Error, CustomStringConvertible {
    public var description: String
  }

  /// Reads an evidence document written by ``render(_:)`` (for `report merge`).
  public static func read(_ bytes: [UInt8], name: String) throws(ReadError) -> AuditEvidence {
    if let head = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
       let schema = head["schema"] as? String, schema != AuditEvidence.schemaID {
      throw ReadError(description: "\(name) has schema \(schema); expected \(AuditEvidence.schemaID)")
    }
    do {
      return try JSONDecoder().decode(AuditEvidence.self, from: Data(bytes))
    } catch let e as DecodingError {
      throw ReadError(description: "\(name) is not an xbinspect audit report (\(AuditEvidence.schemaID)): \(Self.explain(e))")
    } catch {
      throw ReadError(description: "\(name) is not an xbinspect audit report (\(AuditEvidence.schemaID)): \(error)")
    }
  }

  /// One line for a decoding failure: which field, and what was wrong with it.
  static func explain(_ e: DecodingError) -> String {
    func path(_ c: DecodingError.Context) -> String {
      let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
      return p.isEmpty ? "the document" : String(p.drop { $0 == "." })
    }
    switch e {
    case let .keyNotFound(key, c): return "\(path(c)) lacks \"\(key.stringValue)\""
    case let .typeMismatch(_, c), let .valueNotFound(_, c): return "\(path(c)) has the wrong type"
    case let .dataCorrupted(c): return "\(path(c)) is not valid (\(c.debugDescription.prefix(80)))"
    @unknown default: return "it does not decode"
    }
  }
}
