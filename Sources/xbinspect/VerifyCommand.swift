#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Formats
import Inspect
import Report

/// `xbinspect verify`: options → ``VerifyOptions``, each input through ``Verifier``, reports, verdict.
enum VerifyCommand {
  static let flags: Set<String> = ["--no-digests", "--quiet", "--progress", "--require-key", "--single-thread"]
  static let valued: Set<String> = ["--json", "--junit", "--key-file", "--kms-plaintext-file", "--cipher",
                                    "--dialect", "--max-member-size"]

  static func run(_ args: [String], console: Console, environment: [String: String], stdinFD: Int32) throws(UsageError) -> Int32 {
    let a = try Arguments(args, flags: flags, valued: valued, optionalValue: ["--key-env"])
    guard !a.operands.isEmpty else { throw UsageError("verify needs a PATH (or - for standard input)") }
    if a.operands.filter({ $0 == "-" }).count > 1 { throw UsageError("standard input (-) can be read only once") }
    let json = try a.value("--json"), junit = try a.value("--junit")
    if json == "-" && junit == "-" { throw UsageError("--json - and --junit - cannot both write to stdout") }
    let options = try verifyOptions(a, environment: environment)
    let reportToStdout = json == "-" || junit == "-"
    let summary: (String) -> Void = reportToStdout ? console.err : console.out

    let showProgress = ProgressLine.wanted(forced: a.has("--progress"), quiet: a.has("--quiet"))
    var reports: [InputReport] = []
    for path in a.operands {
      reports.append(verifyOne(path, options: options, stdinFD: stdinFD,
                               progress: showProgress ? (console, isatty(2) == 1) : nil))
    }
    var problems: [String] = []
    if let json, let p = emit({ try JSONReportWriter.render(reports, options: options) }, to: json, what: "JSON", console) {
      problems.append(p)
    }
    if let junit, let p = emit({ try JUnitReportWriter.render(reports) }, to: junit, what: "JUnit", console) {
      problems.append(p)
    }
    let writeFailed = !problems.isEmpty
    var verdict = Verdict.of(reports.flatMap(\.findings))
    if writeFailed && verdict == .verified { verdict = .incomplete }
    HumanSummary.print(reports, verdict: verdict, quiet: a.has("--quiet"),
                       reportProblem: writeFailed ? problems.joined(separator: "; ") + ": the run is not complete" : nil,
                       to: summary)
    return verdict.exitCode
  }

  static func verifyOptions(_ a: Arguments, environment: [String: String]) throws(UsageError) -> VerifyOptions {
    var o = VerifyOptions()
    o.computeDigests = !a.has("--no-digests")
    o.requireKey = a.has("--require-key")
    o.parallel = !a.has("--single-thread")
    if let d = try a.value("--dialect") {
      guard let dialect = XbstreamDialect(rawValue: d) else { throw UsageError("--dialect must be auto, percona or mariadb, not \(d)") }
      o.dialect = dialect
    }
    if let c = try a.value("--cipher") {
      guard let v = AESVariant(rawValue: c.uppercased().replacingOccurrences(of: "-", with: "")) else {
        throw UsageError("--cipher must be AES128, AES192 or AES256, not \(c)")
      }
      o.assertedCipher = v
    }
    if let m = try a.value("--max-member-size") {
      guard let n = UInt64(m), n > 0 else { throw UsageError("--max-member-size needs a positive number of bytes, not \(m)") }
      o.maxMemberSize = n
    }
    let sources = [a.values("--key-file").isEmpty ? 0 : 1, a.values("--key-env").isEmpty ? 0 : 1,
                   a.values("--kms-plaintext-file").isEmpty ? 0 : 1].reduce(0, +)
    guard sources <= 1 else { throw UsageError("--key-file, --key-env and --kms-plaintext-file exclude each other: give one") }
    try UsageError.converting {
      if let f = try a.value("--key-file") { o.keys = [try KeyLoader.fromFile(f)] }
      if let v = try a.value("--key-env") {
        o.keys = [try KeyLoader.fromEnvironment(v.isEmpty ? "XBCRYPT_ENCRYPTION_KEY" : v, environment: environment)]
      }
      if let f = try a.value("--kms-plaintext-file") { o.keys = [try KeyLoader.fromKMSPlaintextFile(f)] }
    }
    return o
  }

  /// Verifies one path; `progress` (the console, and whether stderr is a terminal) shows a progress line.
  static func verifyOne(_ path: String, options: VerifyOptions, stdinFD: Int32,
                        progress: (Console, Bool)? = nil) -> InputReport {
    let shownPath = Redaction.shown(path)
    let name = path == "-" ? "stdin" : (shownPath as NSString).lastPathComponent
    var fd = stdinFD
    if path != "-" {
      fd = open(path, O_RDONLY | O_CLOEXEC)
      var st = stat()
      if fd < 0 || fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) == S_IFDIR {
        let reason = fd < 0 ? String(cString: strerror(errno)) : "is a directory"
        if fd >= 0 { close(fd) }
        return InputReport.unreadable(name: name, path: shownPath, reason: "cannot open \(shownPath): \(reason)")
      }
    }
    defer { if path != "-" { close(fd) } }
    var source = FileDescriptorSource(fd: fd)
    guard let (console, inPlace) = progress else {
      return Verifier.verify(source: &source, name: name, path: path, options: options)
    }
    var st = stat()
    let total: UInt64? = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? UInt64(st.st_size) : nil
    let line = ProgressLine(console: console, name: name, total: total, inPlace: inPlace)
    defer { line.end() }
    return Verifier.verify(source: &source, name: name, path: path, options: options, progress: line.update)
  }

  /// Renders and writes one report; nil when written, else what went wrong (also said on stderr).
  static func emit(_ render: () throws -> [UInt8], to path: String, what: String, _ console: Console) -> String? {
    var problem: String?
    do {
      let bytes = try render()
      if path == "-" {
        if !console.writeStdout(bytes) { problem = "the \(what) report could not be written to stdout" }
      } else if let p = FileWriter.write(bytes, to: path) {
        problem = "the \(what) report could not be written (\(p))"
      }
    } catch {
      problem = "the \(what) report could not be rendered: \(error)"
    }
    if let problem { console.err("xbinspect: \(problem)") }
    return problem
  }
}

