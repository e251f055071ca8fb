import Inspect

/// The terminal summary: per input its layers, member count and findings, then the verdict.
enum HumanSummary {
  /// Findings listed per input before "… N more".
  static let maxListed = 40

  /// "18 × xbstream > xbcrypt v3 > qpress L1" per distinct stack, then the keys that opened members.
  static func layerLines(_ r: InputReport) -> [String] {
    var stacks: [String: Int] = [:], order: [String] = []
    var keys: [String: Int] = [:]
    for m in r.members {
      if stacks[m.layerStack] == nil { order.append(m.layerStack) }
      stacks[m.layerStack, default: 0] += 1
      if let fp = m.facts["xbcrypt.keyFingerprint"] {
        keys["\(fp) (\(m.facts["xbcrypt.cipher"] ?? "?"))", default: 0] += 1
      }
    }
    var lines = order.prefix(6).map { "\(stacks[$0]!) × \($0.isEmpty ? "plain" : $0)" }
    if order.count > 6 { lines.append("… \(order.count - 6) more layer stacks") }
    for (k, n) in keys.sorted(by: { $0.key < $1.key }) { lines.append("key \(k) opened \(n) member\(n == 1 ? "" : "s")") }
    return lines
  }

  static func print(_ reports: [InputReport], verdict: Verdict, quiet: Bool, reportProblem: String? = nil,
                    to write: (String) -> Void) {
    if !quiet {
      for r in reports {
        let size = r.members.compactMap(\.size).reduce(0, +)
        var head = "\(r.path): \(r.layers.isEmpty ? "?" : r.layers.joined(separator: " > "))"
        if let d = r.facts["xbstream.dialect"] { head += " (dialect \(d))" }
        write(head)
        write("  \(r.members.count) member\(r.members.count == 1 ? "" : "s"), \(size) bytes of content\(r.dropped.isEmpty ? "" : ", \(r.dropped.count) removed or replaced in the stream")")
        for line in layerLines(r) { write("  " + line) }
        let shown = r.findings.sorted { $0.severity < $1.severity }.filter { $0.severity != .info }
        for f in shown.prefix(maxListed) { write("  " + f.summaryLine) }
        if shown.count > maxListed { write("  … \(shown.count - maxListed) more findings (see --json)") }
        let e = r.findings.filter { $0.severity == .error }.count, w = r.findings.filter { $0.severity == .warning }.count
        write("  \(e) errors, \(w) warnings: \(r.verdict.rawValue)")
      }
    }
    let words: String = switch verdict {
    case .verified: "VERIFIED"
    case .failed: "FAILED: integrity errors"
    case .nonCompliant: "NON-COMPLIANT"
    case .incomplete: "INCOMPLETE: something could not be evaluated"
    }
    if let reportProblem { write(reportProblem) }
    write("verdict: \(words) (exit \(verdict.exitCode))")
  }
}
