import Testing
import Inspect
import TestSupport

/// The plain xbstream samples of the real corpus: exact members, sizes and digests (members.tsv),
/// the same whether read whole or a few bytes at a time.
@Suite struct XbstreamCorpusTests {
  static let plainStreams = ["xbs_pxb24_create_4files.xb", "xbs_mbstream_create_4files.xb",
                             "mb1011_tiny_incremental_partial.xb", "mb1011_incr_ddl_rename_remove_rewrite.xb"]

  @Test(arguments: plainStreams)
  func realStreamVerifiesWithOracleDigests(_ file: String) throws {
    let report = try Run.verifyReal(file)
    #expect(report.verdict == .verified, "\(report.findings.map(\.summaryLine))")
    #expect(report.digests == Set(Corpus.members(of: file)))
    #expect(report.members.count == Corpus.members(of: file).count)
  }

  @Test(arguments: [1, 7, 4093])
  func dripFeedGivesTheSameResult(step: Int) throws {
    let file = "mb1011_incr_ddl_rename_remove_rewrite.xb"
    let whole = try Run.verifyReal(file)
    let drip = try Run.verifyReal(file, step: step)
    #expect(drip.digests == whole.digests)
    #expect(drip.codes == whole.codes)
  }

  @Test func ddlStreamAppliesRenamesRemovalsAndRewrites() throws {
    let report = try Run.verifyReal("mb1011_incr_ddl_rename_remove_rewrite.xb")
    #expect(report.facts["xbstream.dialect"] == "mariadb")
    let renamed = try #require(report.members.first { $0.path == "ddltest/a01_ren.MAD" })
    #expect(renamed.renamedFrom == "ddltest/a01.MAD")
    #expect(!report.members.contains { $0.path == "ddltest/a02.MAD" })
    #expect(report.dropped.contains { $0.path == "ddltest/a02.MAD" && $0.status == "removed" })
    // m01_ren.MYD was copied under its new name and then renamed onto: one member remains.
    #expect(report.members.filter { $0.path == "ddltest/m01_ren.MYD" }.count == 1)
    #expect(report.dropped.contains { $0.path == "ddltest/a05.MAD" && $0.status == "superseded" })
  }

  @Test func payloadBitflipIsACRCMismatchAtTheChunk() throws {
    let report = try Run.verifyReal("bad_xbs_payload_bitflip.xb")
    #expect(report.verdict == .failed)
    let f = try #require(report.findings("xbstream.crc_mismatch").first)
    #expect(f.offset == 378)
    #expect(f.member == "sub/orders.ibd")
  }

  @Test func truncatedMidChunkNamesTheChunkAndMember() throws {
    let report = try Run.verifyReal("bad_xbs_truncated_midchunk.xb")
    let f = try #require(report.findings("xbstream.truncated").first)
    #expect(f.offset == 378)
    #expect(f.member == "sub/orders.ibd")
    #expect(report.findings("xbstream.missing_eof").count == 1)
  }

  @Test func corruptedPathLengthIsFoundAtItsChunk() throws {
    let report = try Run.verifyReal("bad_xbs_pathlen_field.xb")
    #expect(report.verdict == .failed)
    #expect(report.findings.contains { $0.severity == .error && $0.offset == 378 })
  }
}

@Suite struct LayerStackTests {
  @Test func encryptedCompressedMemberShowsEveryLayer() throws {
    let report = try Run.verifyReal("ali_enc_tiny_partial_qp_xbcrypt.xb")
    let m = try #require(report.members.first { $0.path == "tinyshop/customers.ibd" })
    #expect(m.layerStack == "xbstream > xbcrypt v3 > qpress L1")
    #expect(m.storedAs == "tinyshop/customers.ibd.qp.xbcrypt")
  }

  @Test func wrappedStreamStartsWithItsWrapper() throws {
    let report = try Run.verifyReal("mb1011_tiny_full.xb.gz")
    #expect(report.members.first { $0.path == "ibdata1" }?.layerStack == "gzip > xbstream")
  }
}
