import Foundation
import Inspect
import Report

/// `xbinspect report merge [--json OUT] [--junit OUT] [--sign-key PEM] REPORT.json...`: one
/// evidence report and one JUnit file from the audit reports of separate runs, controls 3 and 4
/// recomputed over all their backups (``AuditMerge``).
enum ReportMergeCommand {
  static func run(_ args: [String], console: Console) throws(UsageError) -> Int32 {
    guard args.first == "merge" else { throw UsageError("usage: xbinspect report merge [--json OUT] [--junit OUT] REPORT.json...") }
    let a = try Arguments(Array(args.dropFirst()), flags: ["--quiet"], valued: ["--json", "--junit", "--sign-key"])
    guard !a.operands.isEmpty else { throw UsageError("report merge needs the audit JSON reports to merge") }
    let output = try OutputOptions(a)
    var inputs: [(path: String, bytes: [UInt8])] = []
    for p in a.operands { inputs.append((p, try AuditCommand.read(p, what: "report"))) }
    let merged: (AuditResult, [AuditEvidence.MergeSource])
    do { merged = try AuditMerge.merge(inputs) } catch { throw UsageError(error.description) }
    let summary: (String) -> Void = output.usesStdout ? console.err : console.out
    let written = output.write(merged.0, mergedFrom: merged.1, console: console)
    for line in AuditTableWriter.lines(merged.0, quiet: a.has("--quiet")) { summary(line) }
    return written || merged.0.verdict != .compliant ? merged.0.verdict.exitCode : ExitCode.couldNotEvaluate
  }
}
