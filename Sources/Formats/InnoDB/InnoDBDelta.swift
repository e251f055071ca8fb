/// A problem in an incremental backup's `.delta` or `.meta` file. Offsets count bytes from the start
/// of the `.delta` member.
public enum InnoDBDeltaError: Error, Equatable, Sendable {
  /// A header page that starts with neither `xtra` nor `XTRA`.
  case badMagic(offset: Int64, found: UInt32)
  /// `.meta` longer than ``InnoDBLimits/maxMetaLength``, or not text.
  case metaNotText
  case metaTooLong(length: Int, limit: Int)
  case metaMissingKey(String)
  case metaBadValue(key: String, value: String)
}

extension InnoDBDeltaError: CustomStringConvertible {
  public var description: String {
    switch self {
    case let .badMagic(offset, found):
      "delta header page at offset \(offset) starts with 0x\(String(found, radix: 16)), expected 'xtra' or 'XTRA'"
    case .metaNotText: ".meta is not text"
    case let .metaTooLong(length, limit): ".meta is \(length) bytes, over the \(limit)-byte limit"
    case let .metaMissingKey(key): ".meta lacks '\(key) = …'"
    case let .metaBadValue(key, value): ".meta '\(key)' has an invalid value '\(value)'"
    }
  }
}

/// The header page of one block of a `.delta` file (spec §6.3).
///
/// A `.delta` is a sequence of blocks; a block is one header page followed by the pages it lists,
/// each page of the tablespace's physical page size:
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 4 | BE magic: `xtra` (0x78747261), or `XTRA` (0x58545241) in the final block only |
/// | 4 + 4k | 4 | BE page number of the k-th page that follows (at most page_size / 4 − 1 of them) |
/// | … | 4 | 0xFFFFFFFF ends the list unless it is full |
///
/// The final block is written even when it lists no page.
public struct InnoDBDeltaHeader: Equatable, Sendable {
  public static let magic: UInt32 = 0x7874_7261
  public static let finalMagic: UInt32 = 0x5854_5241
  public static let listEnd: UInt32 = 0xFFFF_FFFF

  public let isFinal: Bool
  public let pageNumbers: [UInt32]

  /// Most pages one header page can list.
  public static func capacity(pageSize: Int) -> Int { pageSize / 4 - 1 }

  /// Parses a header page (`page` is one whole page); `offset` is its offset in the `.delta`.
  public init(parsing page: [UInt8], at offset: Int64) throws(InnoDBDeltaError) {
    let magic = page.count >= 4 ? page.be32(at: 0) : 0
    guard magic == Self.magic || magic == Self.finalMagic else { throw .badMagic(offset: offset, found: magic) }
    isFinal = magic == Self.finalMagic
    var numbers: [UInt32] = []
    var i = 4
    while i + 4 <= page.count {
      let n = page.be32(at: i)
      if n == Self.listEnd { break }
      numbers.append(n)
      i += 4
    }
    pageNumbers = numbers
  }
}

/// The `.meta` text beside a `.delta` (spec §6.3, §6.5): `key = value` lines.
///
/// | Key | Meaning |
/// |---|---|
/// | `page_size` | page size of the `.delta` (MariaDB writes the zip size for compressed tables) |
/// | `zip_size` | ROW_FORMAT=COMPRESSED physical size, 0 otherwise |
/// | `space_id` | tablespace id |
/// | `space_flags` | FSP_SPACE_FLAGS (MySQL 8.0 only) |
///
/// Values may carry trailing spaces (MariaDB 10.11: `zip_size = 0 `); unknown keys are accepted.
public struct InnoDBDeltaMeta: Equatable, Sendable {
  public var pageSize: Int
  public var zipSize: Int
  public var spaceID: UInt32
  public var spaceFlags: UInt32?

  /// Size of each page (and header page) in the `.delta`.
  public var physicalPageSize: Int { zipSize != 0 ? zipSize : pageSize }

  public init(pageSize: Int, zipSize: Int, spaceID: UInt32, spaceFlags: UInt32? = nil) {
    self.pageSize = pageSize; self.zipSize = zipSize; self.spaceID = spaceID; self.spaceFlags = spaceFlags
  }

  public init(parsing text: [UInt8]) throws(InnoDBDeltaError) {
    guard text.count <= InnoDBLimits.maxMetaLength else {
      throw .metaTooLong(length: text.count, limit: InnoDBLimits.maxMetaLength)
    }
    guard let string = String(validating: text, as: UTF8.self),
          text.allSatisfy({ $0 == 9 || $0 == 10 || $0 == 13 || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .metaNotText }
    var fields: [String: String] = [:]
    for line in string.split(separator: "\n") {
      guard let eq = line.firstIndex(of: "=") else { continue }
      let key = line[..<eq].trimmingSpaces, value = line[line.index(after: eq)...].trimmingSpaces
      fields[key] = value
    }
    func number(_ key: String) throws(InnoDBDeltaError) -> UInt32 {
      guard let v = fields[key] else { throw .metaMissingKey(key) }
      guard let n = UInt32(v) else { throw .metaBadValue(key: key, value: String(v.prefix(32))) }
      return n
    }
    let page = try number("page_size"), zip = try number("zip_size"), space = try number("space_id")
    func isPageSize(_ n: UInt32) -> Bool {
      n >= InnoDBLimits.minPageSize && n <= InnoDBLimits.maxPageSize && n & (n - 1) == 0
    }
    guard isPageSize(page) else { throw .metaBadValue(key: "page_size", value: String(page)) }
    guard zip == 0 || (isPageSize(zip) && zip <= 16384) else { throw .metaBadValue(key: "zip_size", value: String(zip)) }
    var flags: UInt32?
    if fields["space_flags"] != nil { flags = try number("space_flags") }
    self.init(pageSize: Int(page), zipSize: Int(zip), spaceID: space, spaceFlags: flags)
  }
}

extension Substring {
  var trimmingSpaces: String {
    var s = self
    while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
    return String(s)
  }
}
