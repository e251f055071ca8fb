import Foundation
internal import CXML2
import Inspect

/// The audit as JUnit XML (Schemas/junit.xsd): one `testsuite` per backup, one `testcase` per
/// control. non_compliant is a `failure` (type = the code), insufficient_data an `error`,
/// not_applicable `skipped`; the advisory control 2 never fails: its warning becomes a `warning`
/// property of the suite (the JUnit subset of Schemas/junit.xsd has no `system-out`).
///
/// Written with libxml2's `xmlTextWriter`, text through ``XMLText/sanitize(_:)``, as
/// ``JUnitReportWriter`` does.
public enum AuditJUnitWriter {
  public static func render(_ result: AuditResult) throws -> [UInt8] {
    guard let buffer = xmlBufferCreate() else { throw JUnitReportWriter.WriterError.libxml("xmlBufferCreate") }
    defer { xmlBufferFree(buffer) }
    guard let w = xmlNewTextWriterMemory(buffer, 0) else { throw JUnitReportWriter.WriterError.libxml("xmlNewTextWriterMemory") }
    var ok = true
    func check(_ rc: Int32) { if rc < 0 { ok = false } }
    func attr(_ name: String, _ value: String) { check(xmlTextWriterWriteAttribute(w, name, XMLText.sanitize(value))) }
    func element(_ name: String, _ body: () -> Void) { check(xmlTextWriterStartElement(w, name)); body(); check(xmlTextWriterEndElement(w)) }

    // Per backup, the controls' results in control order.
    let perBackup: [(BackupObservation, [(ControlEvaluation, ResourceEvaluation)])] = result.backups.map { b in
      (b, result.controls.compactMap { c in c.resources.first { $0.resourceId == b.id }.map { (c, $0) } })
    }
    func failing(_ c: ControlEvaluation, _ r: ResourceEvaluation) -> Bool { r.status == .nonCompliant && !c.advisory }
    let all = perBackup.flatMap(\.1)
    let seconds = String(format: "%.3f", max(0, result.endedAt.timeIntervalSince(result.startedAt)))

    xmlTextWriterSetIndent(w, 1)
    check(xmlTextWriterStartDocument(w, "1.0", "UTF-8", nil))
    element("testsuites") {
      attr("name", "\(ToolInfo.name) audit")
      attr("tests", "\(all.count)")
      attr("failures", "\(all.filter(failing).count)")
      attr("errors", "\(all.filter { $0.1.status == .insufficientData }.count)")
      attr("skipped", "\(all.filter { $0.1.status == .notApplicable }.count)")
      attr("time", seconds)
      for (b, results) in perBackup {
        element("testsuite") {
          attr("name", b.id)
          attr("tests", "\(results.count)")
          attr("failures", "\(results.filter(failing).count)")
          attr("errors", "\(results.filter { $0.1.status == .insufficientData }.count)")
          attr("skipped", "\(results.filter { $0.1.status == .notApplicable }.count)")
          attr("time", "0.000")
          attr("timestamp", String(Timestamp.utc(result.startedAt).prefix(19)))
          element("properties") {
            var props: [(String, String)] = [("file", b.file), ("size", "\(b.size)"), ("encryption", b.encryption.rawValue),
                                             ("timeSource", b.time.source)]
            if let s = b.sha256 { props.append(("sha256", s)) }
            if let t = b.time.start { props.append(("startTime", t)) }
            if let t = b.time.end { props.append(("endTime", t)) }
            if !b.keys.isEmpty { props.append(("keyFingerprints", b.fingerprints.joined(separator: " "))) }
            if !b.exceptions.isEmpty { props.append(("plainByDesign", b.exceptions.map(\.member).joined(separator: " "))) }
            for (c, r) in results where c.advisory && r.status == .nonCompliant { props.append(("warning", "control \(c.number): \(r.reason)")) }
            for (k, v) in props { element("property") { attr("name", k); attr("value", v) } }
          }
          for (c, r) in results {
            element("testcase") {
              attr("classname", b.id)
              attr("name", "\(c.number) \(c.id.rawValue)")
              attr("time", "0.000")
              switch r.status {
              case .nonCompliant where c.advisory:
                break
              case .nonCompliant:
                element("failure") {
                  attr("message", r.reason); attr("type", r.code ?? "audit.non_compliant")
                  check(xmlTextWriterWriteString(w, XMLText.sanitize(r.reason)))
                }
              case .insufficientData:
                element("error") {
                  attr("message", r.reason); attr("type", r.code ?? "audit.insufficient_data")
                  check(xmlTextWriterWriteString(w, XMLText.sanitize(r.reason)))
                }
              case .notApplicable:
                element("skipped") { attr("message", r.reason) }
              case .compliant:
                break
              }
            }
          }
        }
      }
    }
    check(xmlTextWriterEndDocument(w))
    xmlFreeTextWriter(w)
    guard ok, let content = xmlBufferContent(buffer) else { throw JUnitReportWriter.WriterError.libxml("xmlTextWriter") }
    return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buffer))))
  }
}
