import Foundation
import Formats

/// What an audit checks the backups against: when encryption was enabled, the candidate keys, and
/// how to read times.
///
/// **Policy file** (`--policy F`, schema `xbinspect.policy/1`); its SHA-256 goes into the evidence:
///
/// | Field | Type | Meaning |
/// |---|---|---|
/// | `schema` | string | `xbinspect.policy/1` (optional) |
/// | `encryptionEnabledAt` | RFC 3339 | when backup encryption was enabled (required unless given on the command line) |
/// | `keyFiles[]` | paths | key files (exact bytes), relative to the policy file |
/// | `kmsPlaintextFiles[]` | paths | RDS KMS `Plaintext` files (base64) |
/// | `cipher` | `AES128`/`AES192`/`AES256` | required AES variant (optional) |
/// | `toleranceHours` | number | catalog vs embedded time disagreement allowed (default 24) |
/// | `embeddedTimeZone` | IANA name or `±HH:MM` | zone of embedded `start_time`/`end_time` (default UTC) |
///
/// Command-line options override the file's values; keys from both are candidates.
public struct AuditPolicy: Sendable {
  public static let schema = "xbinspect.policy/1"
  /// Default `--tolerance`: 24 hours.
  public static let defaultTolerance: TimeInterval = 24 * 3600

  public var encryptionEnabledAt: Date
  /// Candidate keys: per member the one that opens it is recorded by fingerprint.
  public var keys: [KeyMaterial] = []
  public var cipher: AESVariant?
  public var tolerance: TimeInterval = defaultTolerance
  public var embeddedTimeZone: TimeZone = TimeZone(identifier: "UTC")!
  /// The policy file, if one was used, and its SHA-256.
  public var file: FileRecord?

  public struct FileRecord: Codable, Sendable, Equatable {
    public var path: String
    public var sha256: String
    public init(path: String, sha256: String) { self.path = path; self.sha256 = sha256 }
  }

  public init(encryptionEnabledAt: Date) { self.encryptionEnabledAt = encryptionEnabledAt }

  /// The policy as the evidence records it: keys by length, cipher and fingerprint only.
  public var record: Record {
    Record(encryptionEnabledAt: AuditTime.format(encryptionEnabledAt), cipher: cipher?.rawValue,
           toleranceSeconds: Int(tolerance), embeddedTimeZone: Self.zoneName(embeddedTimeZone),
           keys: keys.map { KeyRecord(source: $0.source, length: $0.bytes.count, cipher: $0.variant?.rawValue, fingerprint: $0.fingerprint) },
           file: file)
  }

  static func zoneName(_ z: TimeZone) -> String {
    if z.identifier == "UTC" || z.identifier == "GMT" { return "UTC" }
    if z.identifier.contains("/") { return z.identifier }
    let s = z.secondsFromGMT(), a = abs(s)
    let hh = a / 3600, mm = (a % 3600) / 60
    return "\(s < 0 ? "-" : "+")\(hh < 10 ? "0" : "")\(hh):\(mm < 10 ? "0" : "")\(mm)"
  }

  /// A key as the evidence names it: never the bytes.
  public struct KeyRecord: Codable, Sendable, Equatable {
    public var source: String
    public var length: Int
    public var cipher: String?
    public var fingerprint: String
  }

  public struct Record: Codable, Sendable, Equatable {
    public var encryptionEnabledAt: String
    public var cipher: String?
    public var toleranceSeconds: Int
    public var embeddedTimeZone: String
    public var keys: [KeyRecord]
    public var file: FileRecord?
  }

  public struct PolicyError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
  }

  /// Largest policy file read.
  public static let maxFileLength = 1 << 20

  /// What a policy file holds, before the command line is applied.
  public struct FileContents: Sendable {
    public var encryptionEnabledAt: Date?
    public var keys: [KeyMaterial] = []
    public var cipher: AESVariant?
    public var tolerance: TimeInterval?
    public var embeddedTimeZone: TimeZone?
    public init() {}
  }

  /// Parses a policy file's bytes; key file paths are read relative to `baseDirectory`.
  public static func parseFile(_ bytes: [UInt8], baseDirectory: String) throws(PolicyError) -> FileContents {
    guard bytes.count <= maxFileLength else { throw PolicyError("policy file is larger than \(maxFileLength) bytes") }
    guard let root = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
      throw PolicyError("policy file is not a JSON object")
    }
    if let s = root["schema"], (s as? String) != schema { throw PolicyError("policy schema must be \(schema)") }
    let known: Set<String> = ["schema", "encryptionEnabledAt", "keyFiles", "kmsPlaintextFiles", "cipher", "toleranceHours", "embeddedTimeZone"]
    if let unknown = root.keys.sorted().first(where: { !known.contains($0) }) { throw PolicyError("policy file: unknown field \(unknown)") }
    var c = FileContents()
    if let v = root["encryptionEnabledAt"] {
      guard let s = v as? String, let d = AuditTime.parseRFC3339(s) else { throw PolicyError("policy encryptionEnabledAt is not an RFC 3339 time with a zone") }
      c.encryptionEnabledAt = d
    }
    func paths(_ field: String) throws(PolicyError) -> [String] {
      guard let v = root[field] else { return [] }
      guard let a = v as? [String] else { throw PolicyError("policy \(field) must be an array of paths") }
      return a.map { Catalog.resolve($0, in: baseDirectory) }
    }
    do {
      for p in try paths("keyFiles") { c.keys.append(try KeyLoader.fromFile(p)) }
      for p in try paths("kmsPlaintextFiles") { c.keys.append(try KeyLoader.fromKMSPlaintextFile(p)) }
    } catch let e as KeyLoader.KeyError {
      throw PolicyError("policy file: \(e.description)")
    } catch let e as PolicyError {
      throw e
    } catch {
      throw PolicyError("policy file: \(error)")
    }
    if let v = root["cipher"] {
      guard let s = v as? String, let a = AESVariant(rawValue: s.uppercased()) else { throw PolicyError("policy cipher must be AES128, AES192 or AES256") }
      c.cipher = a
    }
    if let v = root["toleranceHours"] {
      guard let n = v as? NSNumber, n.doubleValue >= 0, n.doubleValue.isFinite else { throw PolicyError("policy toleranceHours must be a number ≥ 0") }
      c.tolerance = n.doubleValue * 3600
    }
    if let v = root["embeddedTimeZone"] {
      guard let s = v as? String, let z = AuditTime.zone(s) else { throw PolicyError("policy embeddedTimeZone must be an IANA zone name, UTC or ±HH:MM") }
      c.embeddedTimeZone = z
    }
    return c
  }

  /// `--tolerance`: `24h`, `90m`, `3600s`, or a bare number of hours.
  public static func parseTolerance(_ text: String) -> TimeInterval? {
    var s = Substring(text), unit = 3600.0
    if let last = s.last, "hms".contains(last) {
      unit = last == "h" ? 3600 : last == "m" ? 60 : 1
      s = s.dropLast()
    }
    guard let n = Double(s), n >= 0, n.isFinite else { return nil }
    return n * unit
  }
}
