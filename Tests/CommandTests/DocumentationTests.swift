import Foundation
import Testing
import TestSupport

/// The README promises: every finding code the sources can report is listed, and the two commands
/// at its top are the ones the project ships.
@Suite struct DocumentationTests {
  static func sourceFiles() -> [URL] {
    let root = Corpus.projectRoot.appendingPathComponent("Sources")
    let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
    return (e?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
  }

  static let namespaces = ["audit", "backup", "gzip", "innodb", "input", "layer", "limit", "lz4", "member",
                           "qpress", "tar", "xbstream", "xbcrypt", "zstd"]

  /// Every `"namespace.code"` literal in the sources outside lines that set or read facts (the
  /// same rule as scripts/finding-codes).
  static func reportedCodes() throws -> Set<String> {
    let literal = try Regex(#""([a-z0-9]+)\.([a-z0-9_]+)""#)
    var codes = Set<String>()
    for file in sourceFiles() {
      for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
      where !line.contains("setFact(") && !line.contains("facts[") && !line.contains("hasPrefix(") {
        for m in line.matches(of: literal) {
          let text = String(line[m.range].dropFirst().dropLast())
          if let ns = text.split(separator: ".").first, namespaces.contains(String(ns)) { codes.insert(text) }
        }
      }
    }
    return codes
  }

  @Test func readmeListsEveryFindingCode() throws {
    let readme = try String(contentsOf: Corpus.projectRoot.appendingPathComponent("README.md"), encoding: .utf8)
    let codes = try Self.reportedCodes()
    #expect(codes.count > 150)
    let missing = codes.filter { !readme.contains("`\($0)`") }.sorted()
    #expect(missing == [], "codes not listed in README.md: \(missing)")
  }

  @Test func readmeStartsWithTheShippedCommands() throws {
    let readme = try String(contentsOf: Corpus.projectRoot.appendingPathComponent("README.md"), encoding: .utf8)
    let blocks = readme.components(separatedBy: "```sh\n").dropFirst().prefix(2).map { $0.components(separatedBy: "\n```")[0] }
    #expect(blocks.count == 2)
    #expect(blocks.first?.hasPrefix("./scripts/install-deps && swift run xbinspect verify corpus/real/") == true)
    #expect(blocks.last == "./scripts/test")
    let ci = try String(contentsOf: Corpus.projectRoot.appendingPathComponent(".ci/run"), encoding: .utf8)
    #expect(ci.contains("\nscripts/test\n"))
    // The sample the first command verifies is bundled.
    let sample = blocks.first!.split(separator: " ").first { $0.hasPrefix("corpus/real/") && $0.hasSuffix(".xb") }
    #expect(sample.map { FileManager.default.fileExists(atPath: Corpus.projectRoot.appendingPathComponent(String($0)).path) } == true)
  }
}
