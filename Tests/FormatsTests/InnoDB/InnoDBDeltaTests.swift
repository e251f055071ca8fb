import Testing
import Formats
import TestSupport

@Suite struct InnoDBDeltaTests {
  static func incremental() throws -> [(path: String, bytes: [UInt8])] {
    try XbstreamFixture.members(of: Corpus.bytes(Corpus.realFile("mb1011_tiny_incremental_partial.xb")))
  }

  @Test func realDeltaHeaders() throws {
    let members = try Self.incremental()
    let orders = try #require(members.first { $0.path == "tinyshop/orders.ibd.delta" }?.bytes)
    let h = try InnoDBDeltaHeader(parsing: Array(orders[0..<4096]), at: 0)
    #expect(h.isFinal)
    #expect(h.pageNumbers == [0, 2, 3, 11, 19, 25, 26, 27])
    #expect(orders.count == 4096 * 9)
    let docs = try #require(members.first { $0.path == "tinyshop/docs_compressed.ibd.delta" }?.bytes)
    let d = try InnoDBDeltaHeader(parsing: docs, at: 0)
    #expect(d.isFinal && d.pageNumbers.isEmpty && docs.count == 2048)
  }

  @Test func realMetaFiles() throws {
    let members = try Self.incremental()
    let docs = try #require(members.first { $0.path == "tinyshop/docs_compressed.ibd.meta" }?.bytes)
    #expect(try InnoDBDeltaMeta(parsing: docs) == InnoDBDeltaMeta(pageSize: 2048, zipSize: 2048, spaceID: 7))
    let ibdata = try #require(members.first { $0.path == "ibdata1.meta" }?.bytes)
    #expect(try InnoDBDeltaMeta(parsing: ibdata) == InnoDBDeltaMeta(pageSize: 4096, zipSize: 0, spaceID: 0))
  }

  @Test func badMagic() {
    var page = [UInt8](repeating: 0, count: 1024)
    page[0] = 0x78; page[1] = 0x74; page[2] = 0x72; page[3] = 0x58
    #expect(throws: InnoDBDeltaError.badMagic(offset: 4096, found: 0x7874_7258)) { try InnoDBDeltaHeader(parsing: page, at: 4096) }
  }

  @Test func badMeta() {
    #expect(throws: InnoDBDeltaError.metaMissingKey("space_id")) {
      try InnoDBDeltaMeta(parsing: Array("page_size = 4096\nzip_size = 0\n".utf8))
    }
    #expect(throws: InnoDBDeltaError.metaBadValue(key: "page_size", value: "3000")) {
      try InnoDBDeltaMeta(parsing: Array("page_size = 3000\nzip_size = 0\nspace_id = 1\n".utf8))
    }
    #expect(throws: InnoDBDeltaError.metaNotText) { try InnoDBDeltaMeta(parsing: [0xFF, 0x00, 0x3D]) }
  }

  @Test func checkpoints() throws {
    let c = try BackupCheckpoints(fields: ["backup_type": "incremental", "from_lsn": "668128", "to_lsn": "689407", "last_lsn": "689423"])
    #expect(c.violations.isEmpty && c.isIncremental)
    let full = try BackupCheckpoints(fields: ["backup_type": "full-backuped", "from_lsn": "5", "to_lsn": "4", "last_lsn": "3"])
    #expect(full.violations.count == 3)
    #expect(throws: BackupCheckpoints.Problem.missingKey("to_lsn")) {
      try BackupCheckpoints(fields: ["backup_type": "full-backuped", "from_lsn": "0"])
    }
    #expect(throws: BackupCheckpoints.Problem.badNumber(key: "from_lsn", value: "-1")) {
      try BackupCheckpoints(fields: ["backup_type": "full-backuped", "from_lsn": "-1", "to_lsn": "4"])
    }
  }
}
