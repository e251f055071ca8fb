/// How a tablespace's pages carry their checksum (spec §8.3, §8.4).
public enum InnoDBChecksumScheme: String, Sendable, Equatable {
  /// Uncompressed pages of MySQL, Percona Server and MariaDB without `full_crc32`: crc32, innodb or
  /// none in field 1 and field 2, LSN copy in the trailer.
  case classic
  /// ROW_FORMAT=COMPRESSED physical pages: field 1 only, no trailer.
  case compressed
  /// MariaDB `full_crc32`: CRC-32C of the whole page in its last 4 bytes.
  case fullCRC32 = "full_crc32"
}

/// The algorithm that matched a page.
public enum InnoDBChecksumAlgorithm: String, Sendable, Equatable {
  case crc32
  case crc32LegacyBigEndian = "crc32-legacy-big-endian"
  case innodb
  case none
  case fullCRC32 = "full_crc32"
  case zipCRC32 = "zip-crc32"
  case zipInnoDB = "zip-innodb-adler32"
  case zipNone = "zip-none"
  /// MariaDB (non-`full_crc32`) encrypted page: crc32 of the encrypted page in bytes 30–33.
  case mariaDBEncrypted = "mariadb-encrypted-crc32"
}

/// Pages whose checksum depends on a form this validator does not reproduce (spec §8.5).
public enum InnoDBUncheckedKind: String, Sendable, Equatable, CaseIterable {
  case mysqlPageCompressed = "MySQL page-compressed"
  case mysqlEncrypted = "MySQL encrypted"
  case mariaDBPageCompressed = "MariaDB page_compressed"
  case mariaDBEncrypted = "MariaDB encrypted"
  /// A doublewrite-buffer slot of `ibdata1` whose copy does not validate as a page of the system
  /// tablespace (e.g. a ROW_FORMAT=COMPRESSED page); never returned by ``InnoDBPage/validate(_:scheme:)``.
  case doublewriteCopy = "doublewrite buffer copy"
}

/// What ``InnoDBPage/validate(_:scheme:)`` found.
public enum InnoDBPageVerdict: Sendable, Equatable {
  case valid(InnoDBChecksumAlgorithm)
  /// A page never written (all zero), valid.
  case empty
  /// The low 32 bits of the LSN in the header (bytes 20–23) differ from the copy in the trailer.
  case lsnMismatch(header: UInt32, trailer: UInt32)
  /// No algorithm matches; `computed` is the crc32 of the scheme (the usual one).
  case checksumMismatch(stored: UInt32, computed: UInt32)
  /// `full_crc32` page_compressed marker whose size is not below the page size.
  case compressedSizeInvalid(UInt32)
  case unchecked(InnoDBUncheckedKind)

  public var isCorrupt: Bool {
    switch self {
    case .valid, .empty, .unchecked: false
    case .lsnMismatch, .checksumMismatch, .compressedSizeInvalid: true
    }
  }
}

/// Pure functions over one InnoDB page (spec §8). `page` holds exactly one physical page; the checker
/// passes pages where they lie in its input (no copy), tests and deltas pass arrays (extension below).
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 4 | checksum field 1 (MariaDB `full_crc32`: encryption key version) |
/// | 4 | 4 | page number |
/// | 8 / 12 | 4 / 4 | previous / next page |
/// | 16 | 8 | LSN of the last change |
/// | 24 | 2 | page type (`full_crc32`: bit 15 = page_compressed, size in 256-byte units) |
/// | 26 | 8 | FILE_FLUSH_LSN (MariaDB: key version at 26, encrypted-page checksum at 30) |
/// | 34 | 4 | space id |
/// | 38 | … | body (page 0: FSP header, flags at 54) |
/// | size − 8 | 4 | classic: checksum field 2; `full_crc32`: low 32 bits of the LSN |
/// | size − 4 | 4 | classic: low 32 bits of the LSN; `full_crc32`: CRC-32C of bytes 0 … size − 5 |
public enum InnoDBPage {
  public static let pageNumberOffset = 4
  public static let lsnOffset = 16
  public static let typeOffset = 24
  public static let flushLSNOffset = 26
  public static let spaceIDOffset = 34
  public static let dataOffset = 38
  public static let noneChecksum: UInt32 = 0xDEAD_BEEF

  /// MySQL page types with transparent compression / TDE; MariaDB page_compressed types (non-full_crc32).
  static let mysqlCompressed: UInt16 = 14, mysqlEncrypted: UInt16 = 15
  static let mysqlCompressedEncrypted: UInt16 = 16, mysqlEncryptedRTree: UInt16 = 17
  static let mariaDBPageCompressed: UInt16 = 34354, mariaDBPageCompressedEncrypted: UInt16 = 37401

  public static func pageNumber(_ p: UnsafeRawBufferPointer) -> UInt32 { p.be32(at: pageNumberOffset) }
  public static func spaceID(_ p: UnsafeRawBufferPointer) -> UInt32 { p.be32(at: spaceIDOffset) }
  public static func pageType(_ p: UnsafeRawBufferPointer) -> UInt16 { p.be16(at: typeOffset) }
  public static func lsn(_ p: UnsafeRawBufferPointer) -> UInt64 { p.be64(at: lsnOffset) }

  /// Whether every byte of `p` outside `ignoring` is zero.
  public static func isZero(_ p: UnsafeRawBufferPointer, ignoring: Range<Int> = 0..<0) -> Bool {
    ZeroScan.isAllZero(p, ignoring: ignoring)
  }

  /// Validates one page as its tablespace's `scheme` prescribes.
  public static func validate(_ page: UnsafeRawBufferPointer, scheme: InnoDBChecksumScheme) -> InnoDBPageVerdict {
    guard page.count >= InnoDBLimits.minPageSize else { return .checksumMismatch(stored: 0, computed: 0) }
    switch scheme {
    case .classic: return validateClassic(page)
    case .compressed: return validateCompressed(page)
    case .fullCRC32: return validateFullCRC32(page)
    }
  }

  // MARK: Classic (MySQL 5.6+/8.0, Percona, MariaDB non-full_crc32)

  static func validateClassic(_ p: UnsafeRawBufferPointer) -> InnoDBPageVerdict {
    let size = p.count
    switch pageType(p) {
    case mysqlCompressed: return .unchecked(.mysqlPageCompressed)
    case mysqlEncrypted, mysqlCompressedEncrypted, mysqlEncryptedRTree: return .unchecked(.mysqlEncrypted)
    case mariaDBPageCompressed, mariaDBPageCompressedEncrypted: return .unchecked(.mariaDBPageCompressed)
    default: break
    }
    let field1 = p.be32(at: 0), field2 = p.be32(at: size - 8)
    if field1 == 0 && field2 == 0 && lsn(p) == 0 {
      // MySQL 8.0 ignores FILE_FLUSH_LSN (26–33) in an otherwise empty page.
      if isZero(p, ignoring: flushLSNOffset..<spaceIDOffset) { return .empty }
      return .checksumMismatch(stored: 0, computed: crc32Checksum(p))
    }
    let header = p.be32(at: lsnOffset + 4), trailer = p.be32(at: size - 4)
    guard header == trailer else { return .lsnMismatch(header: header, trailer: trailer) }
    let crc = crc32Checksum(p)
    if field1 == crc && field2 == crc { return .valid(.crc32) }
    if field1 == noneChecksum && field2 == noneChecksum { return .valid(.none) }
    if field1 == field2 && field1 == crc32LegacyBigEndianChecksum(p) { return .valid(.crc32LegacyBigEndian) }
    if (field2 == p.be32(at: lsnOffset) || field2 == innodbOldChecksum(p))
      && (field1 == 0 || field1 == innodbChecksum(p)) { return .valid(.innodb) }
    if p.be32(at: flushLSNOffset) != 0 && pageNumber(p) != 0 {
      // MariaDB encryption (key version at 26): the stored crc covers the encrypted page.
      if p.be32(at: flushLSNOffset + 4) == crc { return .valid(.mariaDBEncrypted) }
      return .unchecked(.mariaDBEncrypted)
    }
    return .checksumMismatch(stored: field1, computed: crc)
  }

  /// crc32: CRC-32C(bytes 4…25) XOR CRC-32C(bytes 38 … size−9).
  public static func crc32Checksum(_ p: UnsafeRawBufferPointer) -> UInt32 {
    CRC32C.checksum(p, pageNumberOffset..<flushLSNOffset) ^ CRC32C.checksum(p, dataOffset..<(p.count - 8))
  }

  /// crc32 as MySQL 5.6 computed it on big-endian CPUs: each 8-byte group (aligned to page offsets)
  /// fed in reversed byte order.
  public static func crc32LegacyBigEndianChecksum(_ p: UnsafeRawBufferPointer) -> UInt32 {
    func legacy(_ r: Range<Int>) -> UInt32 {
      var buf: [UInt8] = []
      buf.reserveCapacity(r.count)
      var i = r.lowerBound
      while i < r.upperBound && i % 8 != 0 { buf.append(p[i]); i += 1 }
      while i + 8 <= r.upperBound { for k in (0..<8).reversed() { buf.append(p[i + k]) }; i += 8 }
      while i < r.upperBound { buf.append(p[i]); i += 1 }
      return CRC32C.checksum(buf)
    }
    return legacy(pageNumberOffset..<flushLSNOffset) ^ legacy(dataOffset..<(p.count - 8))
  }

  /// InnoDB's `ut_fold_binary`: 32-bit wrapping arithmetic gives the low 32 bits of the 64-bit original.
  public static func fold(_ p: UnsafeRawBufferPointer, _ r: Range<Int>) -> UInt32 {
    var f: UInt32 = 0
    for i in r {
      let b = UInt32(p[i])
      f = ((((f ^ b ^ 0x6294_6A4F) &<< 8) &+ f) ^ 0x573E_D587) &+ b
    }
    return f
  }

  /// innodb field 1: fold(4…25) + fold(38 … size−9).
  public static func innodbChecksum(_ p: UnsafeRawBufferPointer) -> UInt32 {
    fold(p, pageNumberOffset..<flushLSNOffset) &+ fold(p, dataOffset..<(p.count - 8))
  }

  /// innodb field 2 ("old formula"): fold(0…25).
  public static func innodbOldChecksum(_ p: UnsafeRawBufferPointer) -> UInt32 { fold(p, 0..<flushLSNOffset) }

  // MARK: ROW_FORMAT=COMPRESSED

  static func validateCompressed(_ p: UnsafeRawBufferPointer) -> InnoDBPageVerdict {
    let stored = p.be32(at: 0)
    let crc = zipCRC32Checksum(p)
    if stored == 0 && lsn(p) == 0 {
      return isZero(p) ? .empty : .checksumMismatch(stored: 0, computed: crc)
    }
    if stored == crc { return .valid(.zipCRC32) }
    if stored == noneChecksum { return .valid(.zipNone) }
    if stored == zipAdler32Checksum(p) { return .valid(.zipInnoDB) }
    return .checksumMismatch(stored: stored, computed: crc)
  }

  static let zipRanges: (Range<Int>, Range<Int>) = (pageNumberOffset..<lsnOffset, typeOffset..<flushLSNOffset)

  /// crc32 of a compressed page: CRC-32C(4…15) XOR CRC-32C(24…25) XOR CRC-32C(34 … end).
  public static func zipCRC32Checksum(_ p: UnsafeRawBufferPointer) -> UInt32 {
    CRC32C.checksum(p, zipRanges.0) ^ CRC32C.checksum(p, zipRanges.1) ^ CRC32C.checksum(p, spaceIDOffset..<p.count)
  }

  /// innodb of a compressed page: Adler-32 chained over the same ranges, starting from 0.
  public static func zipAdler32Checksum(_ p: UnsafeRawBufferPointer) -> UInt32 {
    var a = Adler32(seed: 0)
    for r in [zipRanges.0, zipRanges.1, spaceIDOffset..<p.count] { a.update(UnsafeRawBufferPointer(rebasing: p[r])) }
    return a.value
  }

  // MARK: MariaDB full_crc32

  /// Bytes of a `full_crc32` page that carry data and checksum: the page size, or for a
  /// page_compressed page (bit 15 of the type) the type's low 15 bits × 256. Nil when that size is
  /// not below the page size (MariaDB's `buf_page_full_crc32_size` calls the page corrupted).
  public static func fullCRC32PayloadSize(_ p: UnsafeRawBufferPointer) -> Int? {
    let type = pageType(p)
    guard type & 0x8000 != 0 else { return p.count }
    let size = Int(type & 0x7FFF) << 8
    return size < p.count && size >= dataOffset + 8 ? size : nil
  }

  static func validateFullCRC32(_ p: UnsafeRawBufferPointer) -> InnoDBPageVerdict {
    guard let size = fullCRC32PayloadSize(p) else { return .compressedSizeInvalid(UInt32(pageType(p))) }
    let isCompressed = size != p.count
    let stored = p.be32(at: size - 4)
    if stored == 0 && !isCompressed && isZero(p) { return .empty }
    let crc = CRC32C.checksum(p, 0..<(size - 4))
    guard stored == crc else { return .checksumMismatch(stored: stored, computed: crc) }
    // The LSN copy is checked unless the page is compressed or encrypted (key version at 0).
    if !isCompressed && p.be32(at: 0) == 0 {
      let header = p.be32(at: lsnOffset + 4), trailer = p.be32(at: size - 8)
      if header != trailer { return .lsnMismatch(header: header, trailer: trailer) }
    }
    return .valid(.fullCRC32)
  }
}

/// The same functions over a page held in an array (tests, incremental deltas, metadata checks).
extension InnoDBPage {
  public static func pageNumber(_ p: [UInt8]) -> UInt32 { p.withUnsafeBytes { pageNumber($0) } }
  public static func spaceID(_ p: [UInt8]) -> UInt32 { p.withUnsafeBytes { spaceID($0) } }
  public static func validate(_ page: [UInt8], scheme: InnoDBChecksumScheme) -> InnoDBPageVerdict {
    page.withUnsafeBytes { validate($0, scheme: scheme) }
  }
  public static func crc32Checksum(_ p: [UInt8]) -> UInt32 { p.withUnsafeBytes { crc32Checksum($0) } }
  public static func crc32LegacyBigEndianChecksum(_ p: [UInt8]) -> UInt32 { p.withUnsafeBytes { crc32LegacyBigEndianChecksum($0) } }
  public static func innodbChecksum(_ p: [UInt8]) -> UInt32 { p.withUnsafeBytes { innodbChecksum($0) } }
  public static func innodbOldChecksum(_ p: [UInt8]) -> UInt32 { p.withUnsafeBytes { innodbOldChecksum($0) } }
  public static func zipCRC32Checksum(_ p: [UInt8]) -> UInt32 { p.withUnsafeBytes { zipCRC32Checksum($0) } }
  public static func zipAdler32Checksum(_ p: [UInt8]) -> UInt32 { p.withUnsafeBytes { zipAdler32Checksum($0) } }
  public static func fullCRC32PayloadSize(_ p: [UInt8]) -> Int? { p.withUnsafeBytes { fullCRC32PayloadSize($0) } }
}
