import Testing
import Foundation
import Formats
import Inspect
import TestSupport

/// The InnoDB content checks on real MariaDB 10.11 members, and on real members edited and re-wrapped
/// into a valid xbstream (so only the InnoDB layer can notice).
@Suite struct InnoDBCheckTests {
  static func members(_ file: String) throws -> [(path: String, bytes: [UInt8])] {
    try XbstreamFixture.members(of: Corpus.bytes(Corpus.realFile(file)))
  }

  static func replacing(_ members: [(path: String, bytes: [UInt8])], _ path: String,
                        _ edit: (inout [UInt8]) -> Void) -> [(path: String, bytes: [UInt8])] {
    members.map { m in
      guard m.path == path else { return m }
      var b = m.bytes; edit(&b); return (m.path, b)
    }
  }

  @Test(arguments: [Int.max, 1, 7])
  func realTablespaceIsProved(step: Int) throws {
    let report = try Run.verifyReal("xbs_mbstream_create_4files.xb", step: step)
    #expect(report.verdict == .verified)
    let orders = try #require(report.members.first { $0.path == "sub/orders.ibd" })
    #expect(orders.proofs.contains("InnoDB page checksums"))
    #expect(orders.facts["innodb.pages"] == "27")
    #expect(orders.facts["innodb.pages_checked"] == "26")
    #expect(orders.facts["innodb.pages_empty"] == "1")
    #expect(orders.facts["innodb.page_size"] == "4096")
    #expect(orders.facts["innodb.checksum_scheme"] == "full_crc32")
  }

  @Test(arguments: [Int.max, 1, 7])
  func realIncrementalDeltasAreChecked(step: Int) throws {
    let report = try Run.verifyReal("mb1011_tiny_incremental_partial.xb", step: step)
    #expect(report.verdict == .verified, "\(report.findings.map(\.summaryLine))")
    #expect(report.findings.isEmpty)
    let ibdata = try #require(report.members.first { $0.path == "ibdata1.delta" })
    #expect(ibdata.facts["innodb.delta.pages"] == "40")
    #expect(ibdata.proofs.contains("InnoDB page checksums"))
    let orders = try #require(report.members.first { $0.path == "tinyshop/orders.ibd.delta" })
    #expect(orders.facts["innodb.delta.pages_checked"] == "8")
    let docs = try #require(report.members.first { $0.path == "tinyshop/docs_compressed.ibd.delta" })
    #expect(docs.facts["innodb.delta.page_size"] == "2048" && docs.facts["innodb.delta.blocks"] == "1")
  }

  @Test func ddlStreamStaysClean() throws {
    let report = try Run.verifyReal("mb1011_incr_ddl_rename_remove_rewrite.xb")
    #expect(report.verdict == .verified)
    #expect(!report.findings.contains { $0.code.hasPrefix("innodb.") || $0.code.hasPrefix("backup.") })
  }

  /// Whole (pages checked where they lie), 7 bytes at a time (every page gathered first) and in
  /// 4 097-byte pieces (some of each): the same finding.
  @Test(arguments: [Int.max, 7, 4097])
  func flippedByteInARealPageIsFoundAtItsPage(step: Int) throws {
    let members = Self.replacing(try Self.members("xbs_mbstream_create_4files.xb"), "sub/orders.ibd") { $0[7 * 4096 + 1234] ^= 0x20 }
    let stream = XbstreamFixture.stream(members)
    let report = Run.verify(stream, name: "edited.xb", step: step)
    #expect(report.verdict == .failed)
    #expect(report.findings("xbstream.crc_mismatch").isEmpty)
    let f = try #require(report.findings("innodb.page_checksum").first)
    #expect(report.findings("innodb.page_checksum").count == 1)
    #expect(f.member == "sub/orders.ibd")
    #expect(f.layerOffset == Int64(7 * 4096))
    #expect(f.message.contains("1 of 27 pages") && f.message.contains("first: page 7"))
    // The outer offset is the P chunk that carried the page.
    let chunk = members.prefix { $0.path != "sub/orders.ibd" }.map { m in
      m.bytes.isEmpty ? 14 + m.path.utf8.count : 2 * (14 + m.path.utf8.count) + 20 + m.bytes.count }.reduce(0, +)
    #expect(f.offset == Int64(chunk))
    let orders = try #require(report.members.first { $0.path == "sub/orders.ibd" })
    #expect(!orders.proofs.contains("InnoDB page checksums"))
  }

  @Test func manyBadPagesGiveOneFinding() throws {
    let members = Self.replacing(try Self.members("xbs_mbstream_create_4files.xb"), "sub/orders.ibd") { b in
      for n in [3, 9, 20] { b[n * 4096 + 100] ^= 1 }
    }
    let report = Run.verify(XbstreamFixture.stream(members))
    let f = try #require(report.findings("innodb.page_checksum").first)
    #expect(report.findings("innodb.page_checksum").count == 1)
    #expect(f.layerOffset == Int64(3 * 4096))
    #expect(f.message.hasPrefix("3 of 27 pages"))
  }

  @Test func swappedPagesAreAPageNumberMismatch() throws {
    let members = Self.replacing(try Self.members("xbs_mbstream_create_4files.xb"), "sub/orders.ibd") { b in
      let p4 = Array(b[(4 * 4096)..<(5 * 4096)]), p5 = Array(b[(5 * 4096)..<(6 * 4096)])
      b.replaceSubrange((4 * 4096)..<(5 * 4096), with: p5); b.replaceSubrange((5 * 4096)..<(6 * 4096), with: p4)
    }
    let report = Run.verify(XbstreamFixture.stream(members))
    let f = try #require(report.findings("innodb.page_number_mismatch").first)
    #expect(f.layerOffset == 4 * 4096 && f.expected == "4" && f.found == "5")
    #expect(report.findings("innodb.page_checksum").isEmpty)
  }

  @Test func truncatedTablespaceIsAWarning() throws {
    let members = Self.replacing(try Self.members("xbs_mbstream_create_4files.xb"), "sub/orders.ibd") { $0.removeLast(100) }
    let report = Run.verify(XbstreamFixture.stream(members))
    let f = try #require(report.findings("innodb.size_not_page_multiple").first)
    #expect(f.severity == .warning && f.layerOffset == Int64(26 * 4096))
    #expect(report.verdict == .verified)
  }

  @Test func corruptDeltaHeaderIsFound() throws {
    let members = Self.replacing(try Self.members("mb1011_tiny_incremental_partial.xb"), "tinyshop/orders.ibd.delta") { $0[3] = 0x58 }
    let report = Run.verify(XbstreamFixture.stream(members))
    let f = try #require(report.findings("innodb.delta_bad_magic").first)
    #expect(f.member == "tinyshop/orders.ibd.delta" && f.layerOffset == 0 && f.found == "0x58545258")
    #expect(report.verdict == .failed)
  }

  @Test func deltaPageListAndPagesMustAgree() throws {
    // The header lists page 2 second; claim 5 instead.
    let members = Self.replacing(try Self.members("mb1011_tiny_incremental_partial.xb"), "tinyshop/orders.ibd.delta") { $0[11] = 5 }
    let report = Run.verify(XbstreamFixture.stream(members))
    let f = try #require(report.findings("innodb.page_number_mismatch").first)
    #expect(f.layerOffset == 2 * 4096 && f.expected == "5" && f.found == "2")
  }

  @Test func truncatedAndOverlongDeltas() throws {
    let base = try Self.members("mb1011_tiny_incremental_partial.xb")
    let cut = Run.verify(XbstreamFixture.stream(Self.replacing(base, "tinyshop/orders.ibd.delta") { $0.removeLast(4096 + 10) }))
    let t = try #require(cut.findings("innodb.delta_truncated").first)
    #expect(t.layerOffset == Int64(7 * 4096))
    let long = Run.verify(XbstreamFixture.stream(Self.replacing(base, "tinyshop/orders.ibd.delta") { $0 += [1, 2, 3] }))
    #expect(long.findings("innodb.delta_trailing_data").first?.layerOffset == Int64(9 * 4096))
  }

  @Test func deltaWithoutMetaIsAnErrorButStillChecked() throws {
    let members = try Self.members("mb1011_tiny_incremental_partial.xb").filter { $0.path != "tinyshop/customers.ibd.meta" }
    let report = Run.verify(XbstreamFixture.stream(members))
    #expect(report.findings("innodb.delta_meta_missing").first?.member == "tinyshop/customers.ibd.delta")
    let customers = try #require(report.members.first { $0.path == "tinyshop/customers.ibd.delta" })
    #expect(customers.facts["innodb.delta.page_size"] == "4096")  // inferred
    #expect(customers.facts["innodb.delta.pages_checked"] == "24")
  }

  @Test func checkpointsOrderAndInfoAgreement() throws {
    let base = try Self.members("mb1011_tiny_incremental_partial.xb")
    let swapped = Self.replacing(base, "xtrabackup_checkpoints") { b in
      b = Array(String(decoding: b, as: UTF8.self).replacingOccurrences(of: "to_lsn = 689407", with: "to_lsn = 600000").utf8)
    }
    let report = Run.verify(XbstreamFixture.stream(swapped))
    let order = try #require(report.findings("backup.checkpoints_lsn_order").first)
    #expect(order.message.contains("from_lsn 668128 > to_lsn 600000"))
    let info = try #require(report.findings("backup.info_checkpoints_mismatch").first)
    #expect(info.member == "xtrabackup_info" && info.expected == "600000")
    let missing = Run.verify(XbstreamFixture.stream(base.filter { $0.path != "xtrabackup_checkpoints" }))
    #expect(missing.findings("backup.checkpoints_missing").count == 1)
    let garbage = Self.replacing(base, "xtrabackup_checkpoints") { b in b = Array("backup_type = incremental\nfrom_lsn = x1\nto_lsn = 2\n".utf8) }
    #expect(Run.verify(XbstreamFixture.stream(garbage)).findings("backup.checkpoints_unparsable").count == 1)
  }
}
