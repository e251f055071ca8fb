import Foundation
internal import CXML2
import TestSupport

/// Validation helpers: libxml2 against the committed XSD, and the committed JSON Schema's
/// `required` / `type` / `enum` / `const` / `pattern` keywords (the subset our schema uses).
enum SchemaValidation {
  static let junitXSD = Corpus.projectRoot.appendingPathComponent("Schemas/junit.xsd").path
  static let verifySchema = Corpus.projectRoot.appendingPathComponent("Schemas/verify-report.schema.json")

  /// nil when `xml` is well-formed and valid against the XSD; else libxml2's complaint.
  static func validateJUnit(_ xml: [UInt8]) -> String? {
    guard let parser = xmlSchemaNewParserCtxt(junitXSD), let schema = xmlSchemaParse(parser) else { return "XSD did not load" }
    defer { xmlSchemaFree(schema); xmlSchemaFreeParserCtxt(parser) }
    let doc = xml.withUnsafeBytes { p in
      xmlReadMemory(p.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(p.count), "report.xml", nil, Int32(XML_PARSE_NONET.rawValue))
    }
    guard let doc else { return "not well-formed XML" }
    defer { xmlFreeDoc(doc) }
    guard let valid = xmlSchemaNewValidCtxt(schema) else { return "no validation context" }
    defer { xmlSchemaFreeValidCtxt(valid) }
    let rc = xmlSchemaValidateDoc(valid, doc)
    return rc == 0 ? nil : "XSD validation failed (\(rc))"
  }

  /// Problems of `json` against the schema file at `schemaURL`.
  static func validateJSON(_ json: [UInt8], schemaURL: URL = verifySchema) throws -> [String] {
    let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: schemaURL)) as! [String: Any]
    let value = try JSONSerialization.jsonObject(with: Data(json))
    var problems: [String] = []
    check(value, against: schema, root: schema, at: "$", into: &problems)
    return problems
  }

  private static func check(_ v: Any, against s: [String: Any], root: [String: Any], at path: String, into problems: inout [String]) {
    var s = s
    if let ref = s["$ref"] as? String, ref.hasPrefix("#/$defs/") {
      s = (root["$defs"] as! [String: Any])[String(ref.dropFirst(8))] as! [String: Any]
    }
    if let c = s["const"] as? String, (v as? String) != c { problems.append("\(path): expected const \(c)") }
    if let e = s["enum"] as? [Any] {
      let ok = e.contains { ($0 as? String).map { $0 == (v as? String) } ?? (($0 as? NSNumber) == (v as? NSNumber)) }
      if !ok { problems.append("\(path): \(v) not in enum") }
    }
    if let p = s["pattern"] as? String, let str = v as? String, str.range(of: p, options: .regularExpression) == nil {
      problems.append("\(path): \(str) does not match \(p)")
    }
    switch s["type"] as? String {
    case "object":
      guard let o = v as? [String: Any] else { problems.append("\(path): not an object"); return }
      for r in (s["required"] as? [String]) ?? [] where o[r] == nil { problems.append("\(path): missing \(r)") }
      let props = (s["properties"] as? [String: Any]) ?? [:]
      for (k, sub) in props { if let x = o[k] { check(x, against: sub as! [String: Any], root: root, at: "\(path).\(k)", into: &problems) } }
      if let add = s["additionalProperties"] as? [String: Any] {
        for (k, x) in o where props[k] == nil { check(x, against: add, root: root, at: "\(path).\(k)", into: &problems) }
      }
    case "array":
      guard let a = v as? [Any] else { problems.append("\(path): not an array"); return }
      if let items = s["items"] as? [String: Any] {
        for (i, x) in a.enumerated() { check(x, against: items, root: root, at: "\(path)[\(i)]", into: &problems) }
      }
    case "string": if !(v is String) { problems.append("\(path): not a string") }
    case "integer":
      // Foundation on Linux bridges 0 and 1 to Bool as well: check the value, not the class.
      if let n = v as? NSNumber, n.doubleValue == n.doubleValue.rounded() {} else { problems.append("\(path): not an integer") }
    case "boolean": if !(v is Bool) { problems.append("\(path): not a boolean") }
    case "number": if !(v is NSNumber) { problems.append("\(path): not a number") }
    default: break
    }
    if let props = s["properties"] as? [String: Any], s["type"] == nil, let o = v as? [String: Any] {
      for (k, sub) in props { if let x = o[k] { check(x, against: sub as! [String: Any], root: root, at: "\(path).\(k)", into: &problems) } }
    }
  }
}
