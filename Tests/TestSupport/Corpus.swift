import Foundation
import Formats
import Inspect

/// Finds the shared real corpus (`../shared/corpus/real` beside the checkout) and the project's own
/// `corpus/`, and reads the oracle files that describe them.
public enum Corpus {
  /// The project root (two levels above this file's folder).
  public static let projectRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  /// `../shared` beside the checkout (CI has it too).
  public static let shared: URL = projectRoot.deletingLastPathComponent().appendingPathComponent("shared")
  public static let real: URL = shared.appendingPathComponent("corpus/real")
  public static let bugs: URL = shared.appendingPathComponent("corpus/bugs")
  public static let own: URL = projectRoot.appendingPathComponent("corpus")

  public static func realFile(_ name: String) -> URL { real.appendingPathComponent(name) }

  public static func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

  /// One row of `expected.tsv`.
  public struct Expectation: Sendable, CustomStringConvertible {
    public var file, expect, key, kms, fault, member, offset, keyword: String
    public var description: String { file }
  }

  /// One row of `members.tsv`: a member after the real tools peeled every layer.
  public struct MemberDigest: Sendable, Equatable, Hashable {
    public var member: String
    public var size: UInt64
    public var sha256: String
  }

  static func rows(_ name: String) -> [[String]] {
    guard let text = try? String(contentsOf: real.appendingPathComponent(name), encoding: .utf8) else { return [] }
    return text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
  }

  public static func expectations() -> [Expectation] {
    rows("expected.tsv").map { r in
      let c = r + Array(repeating: "-", count: max(0, 8 - r.count))
      return Expectation(file: c[0], expect: c[1], key: c[2], kms: c[3], fault: c[4], member: c[5], offset: c[6], keyword: c[7])
    }
  }

  public static func expectation(_ file: String) -> Expectation? { expectations().first { $0.file == file } }

  /// Every member of `file` per members.tsv.
  public static func members(of file: String) -> [MemberDigest] {
    rows("members.tsv").filter { $0.first == file && $0.count >= 4 }
      .map { MemberDigest(member: $0[1], size: UInt64($0[2]) ?? 0, sha256: $0[3]) }
  }

  /// The key an expected.tsv row names, as ``KeyMaterial`` (the KMS plaintext when given).
  public static func key(for e: Expectation) throws -> [KeyMaterial] {
    if e.kms != "-" { return [KeyMaterial(bytes: Array(try KeyLoader.derivePassword(fromKMSPlaintext: e.kms).utf8), source: "test kms")] }
    if e.key != "-" { return [KeyMaterial(bytes: Array(e.key.utf8), source: "test key")] }
    return []
  }
}

/// Runs the engine on bytes or files, the way the CLI does but in-process.
public enum Run {
  public static func verify(_ bytes: [UInt8], name: String = "input", step: Int = .max,
                            options: VerifyOptions = VerifyOptions()) -> InputReport {
    var source = MemorySource(bytes, step: step)
    return Verifier.verify(source: &source, name: name, path: name, options: options)
  }

  public static func verify(file url: URL, step: Int = .max, options: VerifyOptions = VerifyOptions()) throws -> InputReport {
    try verify(Corpus.bytes(url), name: url.lastPathComponent, step: step, options: options)
  }

  /// Verifies a real corpus sample with the key its expected.tsv row gives.
  public static func verifyReal(_ file: String, step: Int = .max, options: VerifyOptions = VerifyOptions()) throws -> InputReport {
    var o = options
    if let e = Corpus.expectation(file), o.keys.isEmpty { o.keys = try Corpus.key(for: e) }
    return try verify(file: Corpus.realFile(file), step: step, options: o)
  }
}

extension InputReport {
  /// (path, size, sha256) of every kept member, for comparison with members.tsv.
  public var digests: Set<Corpus.MemberDigest> {
    Set(members.compactMap { m in m.size.flatMap { s in m.sha256.map { Corpus.MemberDigest(member: m.path, size: s, sha256: $0) } } })
  }
  public var codes: [String] { findings.map(\.code) }
  public func findings(_ code: String) -> [Finding] { findings.filter { $0.code == code } }
}
