import Inspect

/// The short human table of an audit: one row per backup (time, encryption, key, the five
/// controls), then one line per control and the verdict.
public enum AuditTableWriter {
  /// Rows listed before "… N more backups".
  public static let maxRows = 200

  static func mark(_ s: ControlStatus, advisory: Bool) -> String {
    switch s {
    case .compliant: "ok"
    case .nonCompliant: advisory ? "WARN" : "FAIL"
    case .notApplicable: "-"
    case .insufficientData: "?"
    }
  }

  static func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s : s + String(repeating: " ", count: w - s.count) }

  public static func lines(_ result: AuditResult, quiet: Bool = false) -> [String] {
    var out: [String] = []
    if !quiet {
      let idWidth = min(40, max(6, result.backups.map(\.id.count).max() ?? 6))
      out.append(pad("backup", idWidth) + "  " + pad("time (UTC)", 20) + "  " + pad("from", 8) + "  " + pad("encryption", 10)
                 + "  " + pad("key", 24) + "  1    2    3    4    5")
      for b in result.backups.prefix(maxRows) {
        let marks = result.controls.map { c in
          pad(mark(c.resources.first { $0.resourceId == b.id }?.status ?? .notApplicable, advisory: c.advisory), 4)
        }
        let key = b.keys.count == 1 ? b.keys[0].fingerprint : b.keys.count > 1 ? "\(b.keys.count) keys" : b.keyUnavailable.isEmpty ? "-" : "unavailable"
        out.append(pad(String(b.id.prefix(idWidth)), idWidth) + "  " + pad(b.time.start ?? b.time.end ?? "unknown", 20) + "  "
                   + pad(b.time.source, 8) + "  " + pad(b.encryption.rawValue, 10) + "  " + pad(key, 24) + "  "
                   + marks.joined(separator: " "))
      }
      if result.backups.count > maxRows { out.append("… \(result.backups.count - maxRows) more backups (see --json)") }
      for c in result.controls {
        out.append("control \(c.number) \(c.id.rawValue): \(c.status.rawValue)\(c.advisory && c.status == .nonCompliant ? " (advisory: warning)" : "")")
        for r in c.resources where r.status == .nonCompliant || r.status == .insufficientData {
          out.append("  \(r.resourceId): \(r.status.rawValue): \(r.reason)")
        }
      }
    }
    // Warnings do not change the verdict, but an auditor should see that there are some.
    let warnings = result.backups.flatMap(\.findings).filter { $0.severity == .warning }
    if !warnings.isEmpty {
      var byCode: [String: Int] = [:]
      for w in warnings { byCode[w.code, default: 0] += 1 }
      out.append("\(warnings.count) warning\(warnings.count == 1 ? "" : "s"): "
                 + byCode.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ") + " (see --json)")
    }
    let words: String = switch result.verdict {
    case .compliant: "COMPLIANT"
    case .integrityFailed: "FAILED: integrity errors"
    case .nonCompliant: "NON-COMPLIANT"
    case .insufficientData: "INCOMPLETE: something could not be evaluated"
    }
    out.append("audit verdict: \(words) (exit \(result.verdict.exitCode))")
    return out
  }
}
