/// The header of one xbstream chunk (spec §1.2–1.3, §1.9), everything before the payload.
///
/// On-disk layout (all integers little-endian; offsets from the chunk's magic):
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 8 | magic `XBSTCK01` |
/// | 8 | 1 | flags: 0x01 IGNORABLE, 0x02 REWRITE (MariaDB) / SINGLE_OBJECT (9.7-dev) |
/// | 9 | 1 | type: `P` payload, `S` sparse (Percona) or seek (MariaDB), `E` end, `D` remove, `R` rename |
/// | 10 | 4 | path_len (u32, at most ``XbstreamLimits/maxPathLength``) |
/// | 14 | path_len | path |
///
/// Then, by type (offsets relative to the end of the path):
///
/// | Type | Layout |
/// |---|---|
/// | `P`, unknown + IGNORABLE | 0: payload_len u64 · 8: payload_offset u64 · 16: CRC-32 u32 · 20: payload |
/// | `S` Percona sparse | 0: map_count u32 · 4: payload_len u64 · 12: payload_offset u64 · 20: CRC-32 u32 · 24: map (skip u32, len u32)× · payload |
/// | `S` MariaDB seek | 0: offset u64 (no payload, no CRC) |
/// | `R` MariaDB rename | 0: new_path_len u32 · 4: new path |
/// | `E`, `D` | nothing |
///
/// The CRC-32 covers the payload (`P`) or the map bytes followed by the payload (`S`).
public struct XbstreamChunkHeader: Equatable, Sendable {
  public static let magic: [UInt8] = Array("XBSTCK01".utf8)
  /// magic + flags + type + path_len (the sources' CHUNK_HEADER_CONSTANT_LEN).
  public static let constantLength = 14

  public enum Kind: Equatable, Sendable {
    case payload
    case sparse
    case seek
    case eof
    case remove
    case rename
    /// An unknown type byte with the IGNORABLE flag: parsed like `P` so that it can be skipped.
    case ignorable(UInt8)
  }

  public struct Flags: OptionSet, Equatable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let ignorable = Flags(rawValue: 0x01)
    /// MariaDB: the member may be rewritten (its file is opened without "must not exist").
    public static let rewrite = Flags(rawValue: 0x02)
  }

  public struct SparseEntry: Equatable, Sendable {
    public var skip: UInt32
    public var length: UInt32
    public init(skip: UInt32, length: UInt32) { self.skip = skip; self.length = length }
  }

  /// Stream offset of the chunk's magic.
  public var offset: Int64
  public var flags: Flags
  public var typeByte: UInt8
  public var kind: Kind
  public var path: [UInt8]
  public var payloadLength: UInt64 = 0
  /// Destination offset of the payload; for a MariaDB seek, the offset sought to.
  public var payloadOffset: UInt64 = 0
  public var checksum: UInt32 = 0
  public var sparseMap: [SparseEntry] = []
  /// The new name of a MariaDB rename chunk.
  public var newPath: [UInt8] = []
  /// Bytes from the magic to the first payload byte (the whole chunk for `E`, `D`, `R`, seek).
  public var headerLength: Int

  /// Whether the chunk carries payload bytes (and a CRC).
  public var hasPayload: Bool {
    switch kind { case .payload, .sparse, .ignorable: true; default: false }
  }

  /// Bytes of the destination file the chunk covers: payload_len, plus the holes for `S`.
  /// `nil` when the sum overflows.
  public var logicalExtent: UInt64? {
    guard kind == .sparse else { return payloadLength }
    var total = payloadLength
    for e in sparseMap { guard let t = checkedAdd(total, UInt64(e.skip)) else { return nil }; total = t }
    return total
  }

  /// Σ len of the sparse map (compared with payload_len by the verifier, rule X10).
  public var sparseDataLength: UInt64 { sparseMap.reduce(0) { $0 + UInt64($1.length) } }
}

/// How to read the ambiguous `S` type (spec §1.9).
public enum XbstreamDialect: String, Sendable, CaseIterable {
  /// Decide per chunk from the stream's own evidence: MariaDB chunk types or flags seen earlier, or
  /// whether a seek reading is followed by the next chunk's magic (or the end of the stream).
  case auto
  /// Percona XtraBackup: `S` is a sparse chunk; `D`, `R` are unknown types.
  case percona
  /// MariaDB mariabackup: `S` is a seek; `D`, `R` and the REWRITE flag are valid.
  case mariadb
}

extension XbstreamChunkHeader {
  /// The outcome of looking at the first bytes of a chunk.
  public enum ParseStep: Equatable, Sendable {
    /// The header is longer than the bytes given: call again with at least this many bytes
    /// (or with `atEnd` when the input has no more).
    case needMore(Int)
    case complete(XbstreamChunkHeader)
  }

  /// Parses a chunk header from its first bytes. Pure: no I/O, no state.
  ///
  /// - Parameters:
  ///   - bytes: the bytes from the chunk's magic on (possibly more than the header).
  ///   - offset: the stream offset of `bytes[0]`, carried into errors and the result.
  ///   - dialect: how to read `S`; with `.auto`, `mariadbSeen` says the stream already showed MariaDB
  ///     evidence, otherwise the bytes after a seek reading are looked at.
  ///   - atEnd: no byte follows `bytes` in the input.
  /// - Throws: ``XbstreamError`` for a header no reader could accept.
  public static func parse(_ bytes: [UInt8], at offset: Int64, dialect: XbstreamDialect,
                           mariadbSeen: Bool = false, atEnd: Bool = false) throws(XbstreamError) -> ParseStep {
    let c = constantLength
    guard bytes.count >= c else {
      if atEnd { throw .truncated(offset: offset, structure: "chunk header", needed: UInt64(c), available: UInt64(bytes.count)) }
      return .needMore(c)
    }
    guard bytes.hasBytes(magic) else { throw .badMagic(offset: offset, found: Array(bytes.prefix(c))) }
    let flags = Flags(rawValue: bytes[8])
    let typeByte = bytes[9]
    let pathLength = bytes.le32(at: 10)
    guard pathLength <= XbstreamLimits.maxPathLength else { throw .pathTooLong(offset: offset, length: pathLength) }
    let pathEnd = c + Int(pathLength)

    var kind: Kind
    switch typeByte {
    case UInt8(ascii: "P"): kind = .payload
    case UInt8(ascii: "E"): kind = .eof
    case UInt8(ascii: "S"): kind = dialect == .mariadb || (dialect == .auto && mariadbSeen) ? .seek : .sparse
    case UInt8(ascii: "D") where dialect != .percona: kind = .remove
    case UInt8(ascii: "R") where dialect != .percona: kind = .rename
    default:
      guard flags.contains(.ignorable) else { throw .unknownType(offset: offset, type: typeByte, flags: flags.rawValue) }
      kind = .ignorable(typeByte)
    }

    // The length the header has for `kind`, or needMore / truncation.
    func need(_ n: Int, _ structure: String) throws(XbstreamError) -> ParseStep? {
      if bytes.count >= n { return nil }
      if atEnd { throw .truncated(offset: offset, structure: structure, needed: UInt64(n), available: UInt64(bytes.count)) }
      return .needMore(n)
    }
    if let step = try need(pathEnd, "path") { return step }
    var h = XbstreamChunkHeader(offset: offset, flags: flags, typeByte: typeByte, kind: kind,
                                path: Array(bytes[c..<pathEnd]), headerLength: pathEnd)
    switch kind {
    case .eof, .remove:
      return .complete(h)
    case .rename:
      if let step = try need(pathEnd + 4, "rename header") { return step }
      let newLength = bytes.le32(at: pathEnd)
      guard newLength <= XbstreamLimits.maxPathLength else { throw .pathTooLong(offset: offset, length: newLength) }
      let end = pathEnd + 4 + Int(newLength)
      if let step = try need(end, "rename path") { return step }
      h.newPath = Array(bytes[(pathEnd + 4)..<end])
      h.headerLength = end
      return .complete(h)
    case .sparse where dialect == .auto:
      // A MariaDB seek is 8 bytes followed by the next magic or the end; a Percona sparse header is 24+.
      if bytes.count >= pathEnd + 8, bytes.hasBytes(magic, at: pathEnd + 8) || (atEnd && bytes.count == pathEnd + 8) {
        kind = .seek; h.kind = .seek
      } else if bytes.count < pathEnd + 16 && !atEnd {
        return .needMore(pathEnd + 16)
      }
    default: break
    }
    switch h.kind {
    case .seek:
      if let step = try need(pathEnd + 8, "seek offset") { return step }
      h.payloadOffset = bytes.le64(at: pathEnd)
      h.headerLength = pathEnd + 8
    case .sparse:
      if let step = try need(pathEnd + 24, "sparse chunk header") { return step }
      let count = bytes.le32(at: pathEnd)
      guard count <= XbstreamLimits.maxSparseMapEntries else { throw .sparseMapTooLarge(offset: offset, count: count) }
      h.payloadLength = bytes.le64(at: pathEnd + 4)
      h.payloadOffset = bytes.le64(at: pathEnd + 12)
      h.checksum = bytes.le32(at: pathEnd + 20)
      let end = pathEnd + 24 + 8 * Int(count)
      if let step = try need(end, "sparse map") { return step }
      h.sparseMap.reserveCapacity(Int(count))
      for i in 0..<Int(count) {
        let at = pathEnd + 24 + 8 * i
        h.sparseMap.append(SparseEntry(skip: bytes.le32(at: at), length: bytes.le32(at: at + 4)))
      }
      h.headerLength = end
    default:  // payload, ignorable
      if let step = try need(pathEnd + 20, "payload header") { return step }
      h.payloadLength = bytes.le64(at: pathEnd)
      h.payloadOffset = bytes.le64(at: pathEnd + 8)
      h.checksum = bytes.le32(at: pathEnd + 16)
      h.headerLength = pathEnd + 20
    }
    return .complete(h)
  }
}
