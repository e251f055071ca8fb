import Foundation
internal import CXML2
import Inspect

/// The `verify` JUnit XML report (Schemas/junit.xsd): one `testsuite` per input, one `testcase` for
/// the stream itself plus one per member. Integrity errors are `failure`, evaluation problems
/// `error`, members removed or replaced within the stream `skipped`.
///
/// Written with libxml2's `xmlTextWriter` (escaping), after ``XMLText/sanitize(_:)`` (illegal
/// characters). (classname, name) pairs are unique: repeated names get ` (2)`, ` (3)`….
public enum JUnitReportWriter {
  struct Case {
    var name: String
    var seconds: Double
    var failures: [Finding] = []
    var errors: [Finding] = []
    var skipped: String?
    var properties: [(String, String)] = []
  }

  public static func render(_ reports: [InputReport]) throws -> [UInt8] {
    let suites = reports.map(cases)
    guard let buffer = xmlBufferCreate() else { throw WriterError.libxml("xmlBufferCreate") }
    defer { xmlBufferFree(buffer) }
    guard let w = xmlNewTextWriterMemory(buffer, 0) else { throw WriterError.libxml("xmlNewTextWriterMemory") }
    var ok = true
    func check(_ rc: Int32) { if rc < 0 { ok = false } }
    xmlTextWriterSetIndent(w, 1)
    check(xmlTextWriterStartDocument(w, "1.0", "UTF-8", nil))
    check(xmlTextWriterStartElement(w, "testsuites"))
    let allCases = suites.flatMap(\.1)
    attr(w, "name", ToolInfo.name, &ok)
    attr(w, "tests", "\(allCases.count)", &ok)
    attr(w, "failures", "\(allCases.filter { !$0.failures.isEmpty }.count)", &ok)
    attr(w, "errors", "\(allCases.filter { $0.failures.isEmpty && !$0.errors.isEmpty }.count)", &ok)
    attr(w, "skipped", "\(allCases.filter { $0.skipped != nil }.count)", &ok)
    attr(w, "time", seconds(reports.reduce(0) { $0 + $1.seconds }), &ok)
    for (report, cases) in suites {
      check(xmlTextWriterStartElement(w, "testsuite"))
      attr(w, "name", report.path, &ok)
      attr(w, "tests", "\(cases.count)", &ok)
      attr(w, "failures", "\(cases.filter { !$0.failures.isEmpty }.count)", &ok)
      attr(w, "errors", "\(cases.filter { $0.failures.isEmpty && !$0.errors.isEmpty }.count)", &ok)
      attr(w, "skipped", "\(cases.filter { $0.skipped != nil }.count)", &ok)
      attr(w, "time", seconds(report.seconds), &ok)
      attr(w, "timestamp", String(Timestamp.utc(report.startedAt).prefix(19)), &ok)
      check(xmlTextWriterStartElement(w, "properties"))
      var props: [(String, String)] = [("size", "\(report.size)"), ("verdict", report.verdict.rawValue),
                                       ("layers", report.layers.joined(separator: " > "))]
      if let sha = report.sha256 { props.append(("sha256", sha)) }
      for (k, v) in report.facts.sorted(by: { $0.key < $1.key }) { props.append((k, v)) }
      for (k, v) in props {
        check(xmlTextWriterStartElement(w, "property")); attr(w, "name", k, &ok); attr(w, "value", v, &ok)
        check(xmlTextWriterEndElement(w))
      }
      check(xmlTextWriterEndElement(w))
      for c in cases {
        check(xmlTextWriterStartElement(w, "testcase"))
        attr(w, "classname", report.name, &ok)
        attr(w, "name", c.name, &ok)
        attr(w, "time", seconds(c.seconds), &ok)
        if let first = c.failures.first {
          check(xmlTextWriterStartElement(w, "failure"))
          attr(w, "message", first.summaryLine, &ok)
          attr(w, "type", first.code, &ok)
          text(w, c.failures.map(\.summaryLine).joined(separator: "\n"), &ok)
          check(xmlTextWriterEndElement(w))
        } else if let first = c.errors.first {
          check(xmlTextWriterStartElement(w, "error"))
          attr(w, "message", first.summaryLine, &ok)
          attr(w, "type", first.code, &ok)
          text(w, c.errors.map(\.summaryLine).joined(separator: "\n"), &ok)
          check(xmlTextWriterEndElement(w))
        } else if let skipped = c.skipped {
          check(xmlTextWriterStartElement(w, "skipped")); attr(w, "message", skipped, &ok)
          check(xmlTextWriterEndElement(w))
        }
        check(xmlTextWriterEndElement(w))
      }
      check(xmlTextWriterEndElement(w))
    }
    check(xmlTextWriterEndElement(w))
    check(xmlTextWriterEndDocument(w))
    xmlFreeTextWriter(w)
    guard ok, let content = xmlBufferContent(buffer) else { throw WriterError.libxml("xmlTextWriter") }
    let n = Int(xmlBufferLength(buffer))
    return Array(UnsafeBufferPointer(start: content, count: n))
  }

  public enum WriterError: Error { case libxml(String) }

  /// Test cases of one input: the stream (findings without a member, or about a container), then
  /// each member the backup holds, then those removed or replaced within it.
  static func cases(_ r: InputReport) -> (InputReport, [Case]) {
    var cases: [Case] = []
    var used: [String: Int] = [:]
    func unique(_ name: String) -> String {
      let clean = XMLText.sanitize(name)
      let n = (used[clean] ?? 0) + 1
      used[clean] = n
      return n == 1 ? clean : "\(clean) (\(n))"
    }
    let memberKeys = Set((r.members + r.dropped).map { $0.storedAs })
    var stream = Case(name: unique("stream"), seconds: r.seconds)
    for f in r.findings where f.severity == .error && (f.member == nil || !memberKeys.contains(f.member!)) {
      if f.category == .integrity { stream.failures.append(f) } else { stream.errors.append(f) }
    }
    cases.append(stream)
    func memberCase(_ m: InputReport.Member, dropped: Bool) -> Case {
      var c = Case(name: unique(m.path), seconds: 0)
      for f in r.findings where f.severity == .error && f.member == m.storedAs && f.memberFinal == m.path {
        if f.category == .integrity { c.failures.append(f) } else { c.errors.append(f) }
      }
      if dropped && c.failures.isEmpty && c.errors.isEmpty {
        c.skipped = m.status == "removed" ? "removed from the backup by the stream (MariaDB remove chunk)"
                                          : "replaced by a later copy in the stream"
      }
      return c
    }
    for m in r.members { cases.append(memberCase(m, dropped: false)) }
    for m in r.dropped { cases.append(memberCase(m, dropped: true)) }
    return (r, cases)
  }

  private static func seconds(_ s: Double) -> String { String(format: "%.3f", max(0, s)) }

  private static func attr(_ w: xmlTextWriterPtr, _ name: String, _ value: String, _ ok: inout Bool) {
    if xmlTextWriterWriteAttribute(w, name, XMLText.sanitize(value)) < 0 { ok = false }
  }

  private static func text(_ w: xmlTextWriterPtr, _ value: String, _ ok: inout Bool) {
    if xmlTextWriterWriteString(w, XMLText.sanitize(value)) < 0 { ok = false }
  }
}
