import Foundation
import Testing
import Inspect
import Report
import TestSupport

@Suite struct JUnitReportWriterTests {
  @Test(arguments: ["xbs_pxb24_create_4files.xb", "bad_xbs_payload_bitflip.xb", "mb1011_incr_ddl_rename_remove_rewrite.xb"])
  func junitOfRealSamplesIsValidAgainstTheXSD(_ file: String) throws {
    let report = try Run.verifyReal(file)
    let xml = try JUnitReportWriter.render([report])
    #expect(SchemaValidation.validateJUnit(xml) == nil)
  }

  @Test func countsMatchTheCasesAndFailuresCarryTheFinding() throws {
    let report = try Run.verifyReal("bad_xbs_payload_bitflip.xb")
    let xml = String(decoding: try JUnitReportWriter.render([report]), as: UTF8.self)
    // 4 members + the stream; one member fails.
    #expect(xml.contains("<testsuite name=\"\(report.path)\" tests=\"5\" failures=\"1\" errors=\"0\" skipped=\"0\""))
    #expect(xml.contains("type=\"xbstream.crc_mismatch\""))
    #expect(xml.contains("<testcase classname=\"bad_xbs_payload_bitflip.xb\" name=\"sub/orders.ibd\""))
  }

  @Test func removedMembersAreSkippedAndNamesStayUnique() throws {
    let report = try Run.verifyReal("mb1011_incr_ddl_rename_remove_rewrite.xb")
    let xml = String(decoding: try JUnitReportWriter.render([report]), as: UTF8.self)
    #expect(xml.contains("<skipped message=\"removed from the backup by the stream (MariaDB remove chunk)\"/>"))
    // ddltest/a05.MAD is kept once and dropped once: the second case gets a suffix.
    #expect(xml.contains("name=\"ddltest/a05.MAD (2)\""))
  }

  @Test func hostileTextNeverReachesTheXML() throws {
    var report = try Run.verifyReal("xbs_pxb24_create_4files.xb")
    let hostile = "a\u{1}b\u{FFFE}<c>&\"d\u{0}"
    report.findings.append(Finding(code: "xbstream.crc_mismatch", severity: .error, layer: "xbstream",
                                   member: hostile, offset: 1, message: hostile))
    report.members[0].path = hostile
    report.members[0].storedAs = hostile
    let xml = try JUnitReportWriter.render([report])
    #expect(SchemaValidation.validateJUnit(xml) == nil)
    #expect(!xml.contains(1) && !xml.contains(0))
    #expect(String(decoding: xml, as: UTF8.self).contains("a\u{FFFD}b\u{FFFD}&lt;c&gt;&amp;"))
  }
}

@Suite struct JSONReportWriterTests {
  @Test(arguments: ["xbs_pxb24_create_4files.xb", "bad_xbs_truncated_midchunk.xb", "mb1011_incr_ddl_rename_remove_rewrite.xb"])
  func jsonOfRealSamplesMeetsTheSchema(_ file: String) throws {
    let report = try Run.verifyReal(file)
    let json = try JSONReportWriter.render([report], options: VerifyOptions())
    let problems = try SchemaValidation.validateJSON(json)
    #expect(problems == [], "\(problems.prefix(3))")
  }

  @Test func outputIsDeterministicApartFromTimes() throws {
    var a = try Run.verifyReal("xbs_mbstream_create_4files.xb")
    var b = try Run.verifyReal("xbs_mbstream_create_4files.xb")
    let t = Date(timeIntervalSince1970: 1_800_000_000)
    (a.startedAt, a.endedAt, b.startedAt, b.endedAt) = (t, t, t, t)
    #expect(try JSONReportWriter.render([a], options: VerifyOptions()) == JSONReportWriter.render([b], options: VerifyOptions()))
  }

  @Test func membersCarryPathSizeAndDigest() throws {
    let report = try Run.verifyReal("xbs_pxb24_create_4files.xb")
    let json = try JSONSerialization.jsonObject(with: Data(JSONReportWriter.render([report], options: VerifyOptions()))) as! [String: Any]
    let input = (json["inputs"] as! [[String: Any]])[0]
    let orders = (input["members"] as! [[String: Any]]).first { $0["path"] as? String == "sub/orders.ibd" }!
    #expect(orders["size"] as? Int == 110592)
    #expect(orders["sha256"] as? String == "08b2f64d8b0161e15a7f9efedc03a8ea8282b77c64619c7c8fd57dd81bd48baa")
    #expect(json["verdict"] as? String == "verified")
    #expect((input["sha256"] as? String)?.count == 64)
  }

  @Test func keysAppearOnlyAsLengthCipherAndFingerprint() throws {
    var options = VerifyOptions()
    let secret = "0123456789ABCDEF0123456789abcdef"
    options.keys = [KeyMaterial(bytes: Array(secret.utf8), source: "--key-file k")]
    let report = try Run.verifyReal("xbs_pxb24_create_4files.xb", options: options)
    let text = String(decoding: try JSONReportWriter.render([report], options: options), as: UTF8.self)
    #expect(!text.contains(secret))
    #expect(!text.contains(Array(secret.utf8).hexString))
    #expect(text.contains(options.keys[0].fingerprint))
    #expect(text.contains("\"length\" : 32"))
  }
}
