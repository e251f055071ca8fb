import Foundation
import Testing
@testable import xbinspect
import TestSupport

/// Every case of ../shared/corpus/bugs/cases.tsv (inputs shaped after public bug reports), run
/// in-process through the command line: the exit code must be one the case allows, reports asked
/// for must be written, and the input must not change. `stdin:` and `drip:` cases are piped in
/// (drip: 7 bytes per write).
@Suite struct BugCaseTests {
  struct Case: Sendable, CustomStringConvertible {
    var id, file, args, expect: String
    var description: String { id }
  }

  static func cases() -> [Case] {
    guard let text = try? String(contentsOf: Corpus.bugs.appendingPathComponent("cases.tsv"), encoding: .utf8) else { return [] }
    return text.split(separator: "\n").dropFirst().compactMap { line in
      let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      return c.count >= 5 ? Case(id: c[0], file: c[2], args: c[3], expect: c[4]) : nil
    }
  }

  @Test func theCaseListIsThere() { #expect(Self.cases().count >= 60) }

  @Test(arguments: cases())
  func bugCase(_ c: Case) throws {
    let dir = Corpus.bugs.path
    var mode = "file", path = c.file
    for prefix in ["stdin:", "drip:"] where c.file.hasPrefix(prefix) { mode = String(prefix.dropLast()); path = String(c.file.dropFirst(prefix.count)) }
    let out = NSTemporaryDirectory() + "xbinspect-bug-\(c.id)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: out) }
    var args: [String] = []
    var reports: [String] = []
    if c.args != "-" {
      for word in c.args.split(separator: " ").map(String.init) {
        if word.contains("@OUT@") { let p = word.replacingOccurrences(of: "@OUT@", with: out); reports.append(p); args.append(p); continue }
        // Relative paths in cases.tsv are relative to the bugs folder.
        args.append(word.hasPrefix("keys/") || word.hasPrefix("in/") ? "\(dir)/\(word)" : word)
      }
    }
    let input = "\(dir)/\(path)"
    let before = try Data(contentsOf: URL(fileURLWithPath: input))
    let console = Console(capture: true)
    let rc: Int32
    if mode == "file" {
      rc = Command.run(["verify", input] + args, console: console, environment: [:])
    } else {
      var fds: [Int32] = [0, 0]
      pipe(&fds)
      let writeEnd = fds[1], bytes = [UInt8](before), step = mode == "drip" ? 7 : bytes.count
      let writer = Thread {
        var i = 0
        while i < bytes.count {
          let n = min(step, bytes.count - i)
          _ = bytes[i..<(i + n)].withUnsafeBytes { write(writeEnd, $0.baseAddress, n) }
          i += n
        }
        close(writeEnd)
      }
      writer.start()
      rc = Command.run(["verify", "-"] + args, console: console, environment: [:], stdinFD: fds[0])
      close(fds[0])
    }
    let allowed = c.expect.split(separator: "|").compactMap { Int32($0) }
    #expect(allowed.contains(rc), "\(c.id): exit \(rc), expected \(c.expect)\n\(console.stdoutText.prefix(600))\(console.stderrText.prefix(300))")
    #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before, "\(c.id) modified its input")
    for r in reports {
      let data = FileManager.default.contents(atPath: r)
      #expect(data.map { !$0.isEmpty } == true, "\(c.id): report \(r) missing")
      if r.hasSuffix(".json"), let data { #expect((try? JSONSerialization.jsonObject(with: data)) != nil) }
    }
  }
}
