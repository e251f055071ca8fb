import Testing
import Foundation
import Formats
import Inspect
import TestSupport

/// The xbcrypt layer on the real corpus (keys from expected.tsv, digests from members.tsv) and on
/// crafted inputs for the rules the corpus does not cover.
@Suite struct XbcryptTests {
  static let goodSamples = ["xbc3_aes256_chunk64K_customers.ibd.xbcrypt", "xbc3_aes256_chunk1024_xtrabackup_info.xbcrypt",
                            "xbc3_empty_input.xbcrypt", "xbc3_aes128_backup-my.cnf.xbcrypt",
                            "xbc2_pxb23_aes256_customers.ibd.xbcrypt", "xbc2_pxb23_aes256_chunk1024_backup-my.cnf.xbcrypt",
                            "xbc1_percona_testsuite_decrypt_v1_test_file.xbcrypt", "ali_enc_tiny_incremental_xbcrypt.xb"]
  static let k256 = Array("0123456789ABCDEF0123456789abcdef".utf8)
  static let other = Array("fedcba9876543210FEDCBA9876543210".utf8)

  static func options(_ keys: [[UInt8]]) -> VerifyOptions {
    var o = VerifyOptions()
    o.keys = keys.enumerated().map { KeyMaterial(bytes: $1, source: "test key \($0)") }
    return o
  }

  @Test(arguments: goodSamples)
  func realSampleDecryptsToTheOracleDigests(_ file: String) throws {
    let report = try Run.verifyReal(file)
    #expect(report.verdict == .verified, "\(report.findings.map(\.summaryLine))")
    #expect(report.digests == Set(Corpus.members(of: file)))
    let old = file.hasPrefix("xbc1") || file.hasPrefix("xbc2")
    #expect(report.findings("xbcrypt.keystream_reuse").count == (old ? 1 : 0))
    #expect(!report.findings.contains { $0.severity == .error })
  }

  @Test func v3FactsNameCipherFingerprintAndProof() throws {
    let report = try Run.verifyReal("xbc3_aes128_backup-my.cnf.xbcrypt")
    let m = try #require(report.members.first)
    #expect(m.layers == ["xbcrypt v3", "plain"])
    #expect(m.facts["xbcrypt.cipher"] == "AES128")
    #expect(m.facts["xbcrypt.version"] == "3")
    #expect(m.facts["xbcrypt.keyVerified"] == "XBCRYP03 plaintext SHA-256 (1 of 1 chunks)")
    #expect(m.facts["xbcrypt.keyFingerprint"] == KeyMaterial(bytes: Array("0123456789abcdef".utf8), source: "").fingerprint)
  }

  @Test func oldFormatKeyIsProvenByInnoDBPageChecksums() throws {
    // v2 has no plaintext hash: the decrypted tablespace's page checksums prove the key instead.
    let report = try Run.verifyReal("xbc2_pxb23_aes256_customers.ibd.xbcrypt")
    #expect(report.codes == ["xbcrypt.keystream_reuse"])
    #expect(report.members.first?.facts["xbcrypt.keyVerified"] == "inner layer: InnoDB page checksums")
  }

  @Test func oldFormatWithoutInnerCheckIsNotVerifiable() throws {
    let report = try Run.verifyReal("xbc1_percona_testsuite_decrypt_v1_test_file.xbcrypt")
    #expect(report.codes.sorted() == ["xbcrypt.key_not_verifiable", "xbcrypt.keystream_reuse"])
    let f = try #require(report.findings("xbcrypt.keystream_reuse").first)
    #expect(f.severity == .warning && f.offset == 0 && f.message.contains("CVE-2016-6225"))
  }

  @Test(arguments: [1, 7])
  func dripFeedGivesTheSameResult(step: Int) throws {
    for file in ["xbc3_aes256_chunk1024_xtrabackup_info.xbcrypt", "ali_enc_tiny_incremental_xbcrypt.xb",
                 "bad_xbc3_truncated_midchunk.xbcrypt", "bad_xbc3_payload_bitflip.xbcrypt"] {
      let whole = try Run.verifyReal(file)
      let drip = try Run.verifyReal(file, step: step)
      #expect(drip.digests == whole.digests, "\(file)")
      #expect(drip.findings.map { "\($0.code)@\($0.offset ?? -1)" } == whole.findings.map { "\($0.code)@\($0.offset ?? -1)" }, "\(file)")
    }
  }

  @Test func payloadBitflipIsACRCMismatchAtChunkZero() throws {
    let report = try Run.verifyReal("bad_xbc3_payload_bitflip.xbcrypt")
    #expect(report.verdict == .failed)
    #expect(report.codes == ["xbcrypt.crc_mismatch"])
    #expect(report.findings[0].offset == 0)
    #expect(report.members.first?.sha256 == nil)
  }

  @Test func truncationPointsAtTheCutChunk() throws {
    let report = try Run.verifyReal("bad_xbc3_truncated_midchunk.xbcrypt")
    #expect(report.codes == ["xbcrypt.truncated"])
    #expect(report.findings[0].offset == 65628)
  }

  @Test func wrongKeyIsNamedAtTheFirstChunk() throws {
    let report = try Run.verifyReal("bad_xbc3_wrong_key.xbcrypt")
    #expect(report.codes == ["xbcrypt.wrong_key"])
    #expect(report.findings[0].offset == 0)
    // The right key verifies it.
    let right = try Run.verify(file: Corpus.realFile("bad_xbc3_wrong_key.xbcrypt"), options: Self.options([Self.other]))
    #expect(right.verdict == .verified)
  }

  @Test func emptyInputIsAnEmptyPlaintext() {
    let report = Run.verify([], name: "e.xbcrypt", options: Self.options([Self.k256]))
    #expect(report.verdict == .verified)
    #expect(report.members.first?.size == 0)
    #expect(report.findings.isEmpty)
  }

  // MARK: Keys per member

  static func twoKeyStream() -> [UInt8] {
    let a = XbcryptWriter.file(Array("alpha data\n".utf8), key: k256, seed: "a")
    let b = XbcryptWriter.file(Array(repeating: 0x42, count: 3000), key: other, chunkSize: 1024, seed: "b")
    return XbcryptWriter.xbstream([("a.txt.xbcrypt", a), ("b.bin.xbcrypt", b)])
  }

  @Test func wrongKeyForOneMemberOnly() throws {
    let report = Run.verify(Self.twoKeyStream(), name: "s.xb", options: Self.options([Self.k256]))
    #expect(report.verdict == .failed)
    let wrong = report.findings("xbcrypt.wrong_key")
    #expect(wrong.count == 1)
    #expect(wrong.first?.member == "b.bin.xbcrypt")
    // The xbstream chunk carrying b's first xbcrypt chunk: after a's P (47 + 103 bytes) and E (27) chunks.
    #expect(wrong.first?.offset == 177)
    #expect(report.members.first { $0.path == "a.txt" }?.sha256 == SHA256.hash(Array("alpha data\n".utf8)).hexString)
    #expect(report.members.first { $0.path == "b.bin" }?.sha256 == nil)
  }

  @Test func severalKeysPickTheOneThatVerifiesPerMember() throws {
    let report = Run.verify(Self.twoKeyStream(), name: "s.xb", options: Self.options([Self.k256, Self.other]))
    #expect(report.verdict == .verified, "\(report.findings.map(\.summaryLine))")
    let a = try #require(report.members.first { $0.path == "a.txt" })
    let b = try #require(report.members.first { $0.path == "b.bin" })
    #expect(a.facts["xbcrypt.keyFingerprint"] == KeyMaterial(bytes: Self.k256, source: "").fingerprint)
    #expect(b.facts["xbcrypt.keyFingerprint"] == KeyMaterial(bytes: Self.other, source: "").fingerprint)
    #expect(b.size == 3000)
  }

  @Test func corruptedChunkAmongGoodOnesIsNotAWrongKey() throws {
    var file = XbcryptWriter.file(Array(repeating: 9, count: 3000), key: Self.k256, chunkSize: 1024)
    // Flip a ciphertext byte of chunk 1 and fix its CRC, so only the hash can tell.
    let c1 = 60 + 1024 + 32
    file[c1 + 60 + 5] ^= 1
    let crc = CRC32.checksum(Array(file[(c1 + 60)..<(c1 + 60 + 1056)]))
    file.replaceSubrange((c1 + 32)..<(c1 + 36), with: XbcryptWriter.le(UInt64(crc), 4))
    let report = Run.verify(file, name: "x.xbcrypt", options: Self.options([Self.k256]))
    #expect(report.codes == ["xbcrypt.hash_mismatch"])
    #expect(report.findings[0].offset == Int64(c1))
    #expect(report.findings[0].message.contains("chunk 1"))
  }

  // MARK: Structure rules

  @Test func noKeyChecksStructureAndSaysDecryptionWasNotVerified() throws {
    let report = try Run.verify(file: Corpus.realFile("xbc3_aes256_chunk64K_customers.ibd.xbcrypt"))
    #expect(report.codes == ["xbcrypt.not_decrypted"])
    #expect(report.findings[0].severity == .warning)
    #expect(report.verdict == .verified)
    var o = VerifyOptions(); o.requireKey = true
    let required = try Run.verify(file: Corpus.realFile("xbc3_aes256_chunk64K_customers.ibd.xbcrypt"), options: o)
    #expect(required.verdict == .incomplete)
    // Structural faults are still found without a key.
    let bad = try Run.verify(file: Corpus.realFile("bad_xbc3_payload_bitflip.xbcrypt"))
    #expect(bad.codes.contains("xbcrypt.crc_mismatch"))
  }

  @Test func ivReuseWithinAndAcrossMembersAndZeroIV() throws {
    let same: (Int) -> [UInt8] = { _ in Array(repeating: 7, count: 16) }
    let a = XbcryptWriter.file(Array(repeating: 1, count: 2048), key: Self.k256, chunkSize: 1024, ivs: same)
    let b = XbcryptWriter.file(Array(repeating: 2, count: 100), key: Self.k256, ivs: { _ in Array(repeating: 0, count: 16) })
    let c = XbcryptWriter.file(Array(repeating: 3, count: 100), key: Self.k256, ivs: same)
    let report = Run.verify(XbcryptWriter.xbstream([("a.xbcrypt", a), ("b.xbcrypt", b), ("c.xbcrypt", c)]), name: "s.xb",
                            options: Self.options([Self.k256]))
    #expect(report.verdict == .verified)
    let reuse = report.findings("xbcrypt.iv_reuse")
    #expect(reuse.map(\.member) == ["a.xbcrypt", "c.xbcrypt"])
    #expect(reuse[0].message.contains("chunk 0 of this member"))
    #expect(reuse[1].message.contains("member a.xbcrypt"))
    #expect(report.findings("xbcrypt.zero_iv").map(\.member) == ["b.xbcrypt"])
  }

  @Test func headerAnomaliesAreReportedPerRule() throws {
    var chunk = XbcryptWriter.chunk(Array("data".utf8), key: Self.k256, reserved: 5)
    let mixed = chunk + XbcryptWriter.chunk(Array("more".utf8), key: Self.k256, version: 2)
    chunk.replaceSubrange(16..<24, with: XbcryptWriter.le(10, 8))
    let r1 = Run.verify(chunk, name: "x.xbcrypt", options: Self.options([Self.k256]))
    #expect(r1.codes.sorted() == ["xbcrypt.reserved_nonzero", "xbcrypt.size_mismatch"])
    let r2 = Run.verify(mixed, name: "m.xbcrypt", options: Self.options([Self.k256]))
    #expect(r2.codes.sorted() == ["xbcrypt.keystream_reuse", "xbcrypt.mixed_versions", "xbcrypt.reserved_nonzero"])
    #expect(r2.findings("xbcrypt.mixed_versions").first?.offset == Int64(chunk.count))
    let short = XbcryptWriter.chunk([], key: Self.k256)
    #expect(Run.verify(short, name: "s.xbcrypt", options: Self.options([Self.k256])).codes == ["xbcrypt.chunk_too_short"])
    let noIV = XbcryptWriter.chunk(Array("x".utf8), key: Self.k256, iv: [])
    let r3 = Run.verify(noIV, name: "n.xbcrypt", options: Self.options([Self.k256]))
    #expect(r3.codes == ["xbcrypt.bad_iv_length"])  // decrypted like the readers: zero counter
    #expect(r3.members.first?.size == 1)
    let garbage = XbcryptWriter.chunk(Array("x".utf8), key: Self.k256) + Array("trailing log text, not a chunk".utf8)
    let r4 = Run.verify(garbage, name: "g.xbcrypt", options: Self.options([Self.k256]))
    #expect(r4.codes == ["xbcrypt.bad_magic"])
    #expect(r4.findings[0].offset == 93)
  }

  @Test func v1KeyProvenByReadableMetadataOrRefuted() throws {
    let text = Array("backup_type = full-backuped\nfrom_lsn = 0\nto_lsn = 53441\nlast_lsn = 53441\n".utf8)
    let enc = XbcryptWriter.file(text, key: Self.k256, version: 1)
    let good = Run.verify(XbcryptWriter.xbstream([("xtrabackup_checkpoints.xbcrypt", enc)]), name: "s.xb", options: Self.options([Self.k256]))
    let m = try #require(good.members.first)
    #expect(m.facts["xbcrypt.keyVerified"] == "inner layer: readable text")
    #expect(good.codes == ["xbcrypt.keystream_reuse"])
    let bad = Run.verify(XbcryptWriter.xbstream([("xtrabackup_checkpoints.xbcrypt", enc)]), name: "s.xb", options: Self.options([Self.other]))
    // The garbage plaintext also fails the checkpoints check (B1) downstream.
    #expect(bad.codes.sorted() == ["backup.checkpoints_unparsable", "xbcrypt.inner_layer_invalid", "xbcrypt.keystream_reuse"])
    #expect(bad.verdict == .failed)
  }

  @Test func assertedCipherAgainstAShorterKeyIsAPolicyFinding() throws {
    var o = Self.options([Array("0123456789abcdef".utf8)])
    o.assertedCipher = .aes256
    let report = try Run.verify(file: Corpus.realFile("xbc3_aes128_backup-my.cnf.xbcrypt"), options: o)
    #expect(report.codes == ["xbcrypt.cipher_mismatch"])
    #expect(report.verdict == .nonCompliant)
  }

  // MARK: Key loading (rule C13)

  @Test func keyLoaderNamesCommonMistakes() throws {
    func message(_ bytes: [UInt8]) -> String {
      do { _ = try KeyLoader.validated(bytes, source: "--key-file k"); return "ok" } catch { return error.description }
    }
    #expect(message(Self.k256) == "ok")
    #expect(message(Self.k256 + [0x0A]).contains("33 bytes and ends in LF"))
    #expect(message(Self.k256 + [0x0D, 0x0A]).contains("34 bytes and ends in CR LF"))
    #expect(message(Self.k256 + [0x0D, 0x0A]).contains("without it, 32 bytes: AES256"))
    #expect(message([]) == "key from --key-file k is empty (0 bytes)")
    let b64 = Array(Data(Self.k256).base64EncodedString().utf8)
    #expect(b64.count == 44)
    #expect(message(b64).contains("44 characters of base64"))
    #expect(message(Array(repeating: 0x41, count: 20)).contains("20 bytes: an AES key must be 16, 24 or 32"))
    #expect(!message(Self.k256 + [0x0A]).contains("0123456789ABCDEF"))
  }

  @Test func kmsPlaintextWithTrailingNewlineDerivesTheRDSKey() throws {
    #expect(try KeyLoader.derivePassword(fromKMSPlaintext: "w4t7BKjP/iUCtF+hQ0PATg==\n") == "c38b7b04a8cffe2502b45fa14343c04e")
    #expect(try KeyLoader.derivePassword(fromKMSPlaintext: "AAECAwQFBgcICQoLDA0ODw==\r\n") == "000102030405060708090a0b0c0d0e0f")
    #expect(throws: KeyLoader.KeyError.self) { try KeyLoader.derivePassword(fromKMSPlaintext: "not base64!") }
    #expect(throws: KeyLoader.KeyError.self) { try KeyLoader.derivePassword(fromKMSPlaintext: "\n") }
  }

  @Test func fingerprintNeverRevealsTheKey() throws {
    for key in [Self.k256, Self.other, Array("0123456789abcdef".utf8), Array("c38b7b04a8cffe2502b45fa14343c04e".utf8)] {
      let fp = KeyMaterial(bytes: key, source: "").fingerprint
      let text = String(decoding: key, as: UTF8.self).lowercased()
      #expect(fp.hasPrefix("sha256:") && fp.count == 23)
      #expect(!fp.contains(key.hexString) && fp != key.hexString && !fp.contains(text) && !text.contains(fp.dropFirst(7)))
    }
    let report = try Run.verifyReal("ali_enc_tiny_incremental_xbcrypt.xb")
    let all = report.findings.map(\.message).joined() + report.members.flatMap { $0.facts.values }.joined()
    #expect(!all.contains("c38b7b04a8cffe2502b45fa14343c04e"))
    #expect(!all.contains(Array("c38b7b04a8cffe2502b45fa14343c04e".utf8).hexString))
  }
}
