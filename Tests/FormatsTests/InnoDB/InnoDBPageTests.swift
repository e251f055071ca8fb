import Testing
import Foundation
import Formats
import TestSupport

/// Page checksum algorithms (spec §8) on real MariaDB 10.11 pages and on a synthetic page whose
/// expected values were computed by an independent implementation of the spec's formulas.
@Suite struct InnoDBPageTests {
  /// `sub/orders.ibd` of the real mbstream sample: MariaDB 10.11, innodb_page_size=4k, full_crc32.
  static func ordersIBD() throws -> [UInt8] {
    let member = try XbstreamFixture.member("sub/orders.ibd", of: Corpus.bytes(Corpus.realFile("xbs_mbstream_create_4files.xb")))
    return try #require(member)
  }

  static func page(_ file: [UInt8], _ n: Int, size: Int) -> [UInt8] { Array(file[(n * size)..<((n + 1) * size)]) }

  /// A 1 KiB page with bytes (7i + 3) mod 256.
  static let synthetic: [UInt8] = (0..<1024).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }

  @Test func syntheticPageAlgorithms() {
    let p = Self.synthetic
    #expect(InnoDBPage.crc32Checksum(p) == 0xD664_EF4C)
    #expect(InnoDBPage.crc32LegacyBigEndianChecksum(p) == 0xC34B_E109)
    #expect(InnoDBPage.innodbChecksum(p) == 0x5C8D_442C)
    #expect(InnoDBPage.innodbOldChecksum(p) == 0xD243_4C2B)
    #expect(InnoDBPage.zipCRC32Checksum(p) == 0xF315_28FB)
    #expect(InnoDBPage.zipAdler32Checksum(p) == 0x8E76_F2F1)
    #expect(CRC32C.checksum(p, 0..<1020) == 0x5B40_9F6A)
  }

  /// A classic page with consistent LSN copies and the given field 1 / field 2.
  static func classic(_ f1: (([UInt8]) -> UInt32)?, _ f2: (([UInt8]) -> UInt32)?, raw: UInt32 = 0) -> [UInt8] {
    var p = synthetic
    p[24] = 0x45; p[25] = 0xBF  // type 17855 (index)
    for i in 26..<34 { p[i] = 0 }  // FILE_FLUSH_LSN: zero outside page 0 of the system tablespace
    for i in 0..<4 { p[1020 + i] = p[20 + i] }
    func put(_ v: UInt32, _ at: Int) { for i in 0..<4 { p[at + i] = UInt8(truncatingIfNeeded: v >> (24 - 8 * i)) } }
    put(f1.map { $0(p) } ?? raw, 0)
    put(f2.map { $0(p) } ?? raw, 1016)  // after field 1: the innodb field 2 covers it
    return p
  }

  @Test func classicAlgorithmsAreAccepted() {
    #expect(InnoDBPage.validate(Self.classic(InnoDBPage.crc32Checksum, InnoDBPage.crc32Checksum), scheme: .classic) == .valid(.crc32))
    #expect(InnoDBPage.validate(Self.classic(InnoDBPage.crc32LegacyBigEndianChecksum, InnoDBPage.crc32LegacyBigEndianChecksum), scheme: .classic)
            == .valid(.crc32LegacyBigEndian))
    #expect(InnoDBPage.validate(Self.classic(InnoDBPage.innodbChecksum, InnoDBPage.innodbOldChecksum), scheme: .classic) == .valid(.innodb))
    #expect(InnoDBPage.validate(Self.classic(nil, nil, raw: 0xDEAD_BEEF), scheme: .classic) == .valid(.none))
  }

  @Test func classicMismatchAndLSN() {
    var p = Self.classic(InnoDBPage.crc32Checksum, InnoDBPage.crc32Checksum)
    p[500] ^= 0x10
    #expect(InnoDBPage.validate(p, scheme: .classic) == .checksumMismatch(stored: p.be32(at: 0), computed: InnoDBPage.crc32Checksum(p)))
    p[29] = 1  // a MariaDB key version: the page may be encrypted, its checksum is not ours to judge
    #expect(InnoDBPage.validate(p, scheme: .classic) == .unchecked(.mariaDBEncrypted))
    var q = Self.classic(InnoDBPage.crc32Checksum, InnoDBPage.crc32Checksum)
    q[1023] ^= 1
    #expect(InnoDBPage.validate(q, scheme: .classic) == .lsnMismatch(header: q.be32(at: 20), trailer: q.be32(at: 1020)))
  }

  @Test func allZeroPages() {
    var zero = [UInt8](repeating: 0, count: 4096)
    #expect(InnoDBPage.validate(zero, scheme: .classic) == .empty)
    #expect(InnoDBPage.validate(zero, scheme: .fullCRC32) == .empty)
    #expect(InnoDBPage.validate(Array(zero[0..<2048]), scheme: .compressed) == .empty)
    zero[30] = 1  // FILE_FLUSH_LSN is ignored (MySQL 8.0)
    #expect(InnoDBPage.validate(zero, scheme: .classic) == .empty)
    zero[100] = 1  // a non-zero body with zero checksums and LSN is not an empty page
    #expect(InnoDBPage.validate(zero, scheme: .classic).isCorrupt)
  }

  @Test func realFullCRC32Pages() throws {
    let file = try Self.ordersIBD()
    let flags = try #require(InnoDBSpaceFlags(page0: file))
    #expect(flags.rawValue == 0x13)
    #expect(flags.isFullCRC32 && flags.logicalPageSize == 4096 && flags.physicalPageSize == 4096 && flags.scheme == .fullCRC32)
    #expect(file.count == 27 * 4096)
    var valid = 0, empty = 0
    for n in 0..<27 {
      let p = Self.page(file, n, size: 4096)
      switch InnoDBPage.validate(p, scheme: .fullCRC32) {
      case .valid(.fullCRC32): valid += 1; #expect(InnoDBPage.pageNumber(p) == UInt32(n)); #expect(InnoDBPage.spaceID(p) == 6)
      case .empty: empty += 1
      case let other: Issue.record("page \(n): \(other)")
      }
    }
    #expect(valid == 26 && empty == 1)
    // Page 0's stored checksum is the CRC-32C of its first 4092 bytes.
    let p0 = Self.page(file, 0, size: 4096)
    #expect(p0.be32(at: 4092) == CRC32C.checksum(p0, 0..<4092))
  }

  @Test func flippedByteInARealPageIsAMismatch() throws {
    var p = Self.page(try Self.ordersIBD(), 3, size: 4096)
    let stored = p.be32(at: 4092)
    p[2000] ^= 0x04
    #expect(InnoDBPage.validate(p, scheme: .fullCRC32) == .checksumMismatch(stored: stored, computed: CRC32C.checksum(p, 0..<4092)))
  }

  @Test func fullCRC32LSNCopyIsChecked() throws {
    var p = Self.page(try Self.ordersIBD(), 3, size: 4096)
    p[4088] ^= 1  // low LSN copy; then re-seal the checksum
    let c = CRC32C.checksum(p, 0..<4092)
    for i in 0..<4 { p[4092 + i] = UInt8(truncatingIfNeeded: c >> (24 - 8 * i)) }
    #expect(InnoDBPage.validate(p, scheme: .fullCRC32) == .lsnMismatch(header: p.be32(at: 20), trailer: p.be32(at: 4088)))
  }

  @Test func fullCRC32PageCompressedSize() throws {
    var p = Self.page(try Self.ordersIBD(), 3, size: 4096)
    p[24] = 0x80; p[25] = 0x08  // page_compressed, 8 × 256 = 2048 bytes
    #expect(InnoDBPage.fullCRC32PayloadSize(p) == 2048)
    let c = CRC32C.checksum(p, 0..<2044)
    for i in 0..<4 { p[2044 + i] = UInt8(truncatingIfNeeded: c >> (24 - 8 * i)) }
    #expect(InnoDBPage.validate(p, scheme: .fullCRC32) == .valid(.fullCRC32))
    p[24] = 0x80; p[25] = 0x10  // 16 × 256 = 4096: not below the page size
    #expect(InnoDBPage.validate(p, scheme: .fullCRC32) == .compressedSizeInvalid(0x8010))
  }

  @Test func spaceFlagLayouts() {
    let compressed = InnoDBSpaceFlags(rawValue: 0xE5)  // real docs_compressed.ibd: KEY_BLOCK_SIZE=2, 4k pages
    #expect(compressed?.zipSize == 2048 && compressed?.logicalPageSize == 4096 && compressed?.scheme == .compressed)
    #expect(InnoDBSpaceFlags(rawValue: 0)?.logicalPageSize == 16384)           // MySQL 5.x default
    #expect(InnoDBSpaceFlags(rawValue: 0x15)?.logicalPageSize == 16384)        // MariaDB full_crc32 16k
    #expect(InnoDBSpaceFlags(rawValue: 0x10) == nil)                           // full_crc32 without a page size
    #expect(InnoDBSpaceFlags(rawValue: 0x0C) == nil)                           // ZIP_SSIZE 6
    #expect(InnoDBSpaceFlags(rawValue: 3 << 6 | 5 << 1) == nil)               // 16k zip on 4k pages
  }

  @Test func mysqlTransparentCompressionIsUnchecked() {
    var p = Self.synthetic
    p[24] = 0; p[25] = 14
    #expect(InnoDBPage.validate(p, scheme: .classic) == .unchecked(.mysqlPageCompressed))
    p[24] = 0x86; p[25] = 0x32  // 34354
    #expect(InnoDBPage.validate(p, scheme: .classic) == .unchecked(.mariaDBPageCompressed))
  }

  @Test func doublewriteRecordOfRealTrxSysPage() throws {
    // ibdata1.delta of the real incremental carries page 5 (TRX_SYS) when it changed; build one
    // from the documented layout instead, with the real 4k values (blocks at 256 and 512).
    var p = [UInt8](repeating: 0, count: 4096)
    func put(_ v: UInt32, _ at: Int) { for i in 0..<4 { p[at + i] = UInt8(truncatingIfNeeded: v >> (24 - 8 * i)) } }
    let base = 4096 - 200 + 10
    put(InnoDBDoublewrite.magic, base); put(256, base + 4); put(512, base + 8)
    put(InnoDBDoublewrite.magic, base + 12); put(256, base + 16); put(512, base + 20)
    #expect(InnoDBDoublewrite.blocks(trxSysPage: p) == [256..<512, 512..<768])
    p[base] = 0
    #expect(InnoDBDoublewrite.blocks(trxSysPage: p) == nil)
  }
}
