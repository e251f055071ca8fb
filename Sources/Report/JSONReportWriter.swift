import Foundation
import Inspect

/// The `verify` JSON report, schema `xbinspect.verify/1` (Schemas/verify-report.schema.json).
///
/// Deterministic apart from the times: keys are sorted, members and findings keep stream order.
public enum JSONReportWriter {
  public static let schema = "xbinspect.verify/1"

  struct Document: Encodable {
    var schema: String
    var tool: Tool
    var startedAt: String
    var endedAt: String
    var verdict: String
    var exitCode: Int32
    var options: Options
    var inputs: [Input]
    var counts: Counts
  }
  struct Tool: Encodable { var name: String; var version: String }
  public struct KeyInfo: Encodable, Sendable {
    public var source: String
    public var length: Int
    public var cipher: String?
    public var fingerprint: String
    public init(source: String, length: Int, cipher: String?, fingerprint: String) {
      self.source = source; self.length = length; self.cipher = cipher; self.fingerprint = fingerprint
    }
  }
  struct Options: Encodable { var digests: Bool; var dialect: String; var keys: [KeyInfo]; var assertedCipher: String? }
  struct Counts: Encodable {
    var members: Int, errors: Int, warnings: Int, infos: Int
    init(members: Int, findings: [Finding]) {
      self.members = members
      errors = findings.filter { $0.severity == .error }.count
      warnings = findings.filter { $0.severity == .warning }.count
      infos = findings.filter { $0.severity == .info }.count
    }
  }
  struct Input: Encodable {
    var path: String, name: String, size: UInt64, sha256: String?, verdict: String, exitCode: Int32
    var seconds: Double, layers: [String], facts: [String: String]
    var members: [InputReport.Member], dropped: [InputReport.Member], findings: [Finding], counts: Counts
  }

  public static func keyInfo(_ options: VerifyOptions) -> [KeyInfo] {
    options.keys.map { KeyInfo(source: $0.source, length: $0.bytes.count, cipher: $0.variant?.rawValue, fingerprint: $0.fingerprint) }
  }

  /// The report as UTF-8 JSON bytes.
  public static func render(_ reports: [InputReport], options: VerifyOptions) throws -> [UInt8] {
    let all = reports.flatMap(\.findings)
    let verdict = Verdict.of(all)
    let doc = Document(
      schema: schema, tool: Tool(name: ToolInfo.name, version: ToolInfo.version),
      startedAt: Timestamp.utc(reports.map(\.startedAt).min() ?? Date()),
      endedAt: Timestamp.utc(reports.map(\.endedAt).max() ?? Date()),
      verdict: verdict.rawValue, exitCode: verdict.exitCode,
      options: Options(digests: options.computeDigests, dialect: options.dialect.rawValue, keys: keyInfo(options),
                       assertedCipher: options.assertedCipher?.rawValue),
      inputs: reports.map { r in
        Input(path: r.path, name: r.name, size: r.size, sha256: r.sha256, verdict: r.verdict.rawValue,
              exitCode: r.verdict.exitCode, seconds: (r.seconds * 1000).rounded() / 1000, layers: r.layers,
              facts: r.facts, members: r.members, dropped: r.dropped, findings: r.findings,
              counts: Counts(members: r.members.count, findings: r.findings))
      },
      counts: Counts(members: reports.reduce(0) { $0 + $1.members.count }, findings: all))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    var data = Array(try encoder.encode(doc))
    data.append(0x0A)
    return data
  }
}

/// RFC 3339 UTC timestamps with millisecond precision.
public enum Timestamp {
  public static func utc(_ date: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: date)
  }
}
