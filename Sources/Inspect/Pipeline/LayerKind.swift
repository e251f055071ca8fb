import Formats

/// The formats a backup's layers can be, recognised by their magic bytes (spec §7.2), never by name.
public enum LayerKind: String, Sendable, CaseIterable {
  case xbstream, xbcrypt, qpress, gzip, zstd, lz4, tar
  /// Recognised but not verifiable here: the run says so (exit 3) instead of "bad magic".
  case xz, bzip2, opensslEnc
  /// No known magic: content.
  case plain

  /// The name suffix writers give this layer (`t1.ibd.qp.xbcrypt`), if any.
  public var suffix: String? {
    switch self {
    case .xbcrypt: ".xbcrypt"
    case .qpress: ".qp"
    case .gzip: ".gz"
    case .zstd: ".zst"
    case .lz4: ".lz4"
    case .xz: ".xz"
    case .bzip2: ".bz2"
    default: nil
    }
  }

  /// Layers whose name suffix promises them (for the suffix-versus-magic rule X19): the peeled
  /// suffixes, and `.xb`/`.xbstream`/`.tar` for the containers (so `backup.xb.gz` holding anything
  /// but an xbstream is a finding, not a verified plain file).
  static func promised(by name: String) -> LayerKind? {
    for kind in [LayerKind.xbcrypt, .qpress, .zstd, .lz4, .gzip, .xz, .bzip2] where name.hasSuffix(kind.suffix!) {
      return kind
    }
    if name.hasSuffix(".xb") || name.hasSuffix(".xbstream") { return .xbstream }
    if name.hasSuffix(".tar") { return .tar }
    return nil
  }

  /// Compression wrappers that hold one byte stream and may wrap a whole backup.
  public var isWrapper: Bool { self == .gzip || self == .zstd || self == .lz4 }

  static let xbcryptMagics = ["XBCRYP01", "XBCRYP02", "XBCRYP03"].map { Array($0.utf8) }

  /// The layer `prefix` starts with. `prefix` holds up to ``VerifyLimits/sniffLength`` bytes, fewer
  /// only when the input is shorter.
  public static func detect(_ prefix: [UInt8]) -> LayerKind {
    if prefix.hasBytes(XbstreamChunkHeader.magic) { return .xbstream }
    if xbcryptMagics.contains(where: { prefix.hasBytes($0) }) { return .xbcrypt }
    if prefix.hasBytes(Array("qpress10".utf8)) { return .qpress }
    // gzip: ID1 ID2, CM = 8 (deflate), reserved FLG bits clear.
    if prefix.count >= 4, prefix[0] == 0x1F, prefix[1] == 0x8B, prefix[2] == 8, prefix[3] & 0xE0 == 0 { return .gzip }
    if prefix.hasBytes([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
    if prefix.hasBytes([0x04, 0x22, 0x4D, 0x18]) { return .lz4 }
    if prefix.hasBytes([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
    if prefix.hasBytes(Array("BZh".utf8)), prefix.count >= 4, (0x31...0x39).contains(prefix[3]) { return .bzip2 }
    if prefix.hasBytes(Array("Salted__".utf8)) { return .opensslEnc }
    // ustar (POSIX "ustar\0" or GNU "ustar  \0") at offset 257 of a 512-byte header.
    if prefix.count >= 263, prefix.hasBytes(Array("ustar".utf8), at: 257) { return .tar }
    return .plain
  }

  /// For a whole input shorter than a magic: the layer whose magic it starts like, so that its
  /// verifier reports the truncation instead of an unknown format. Never used inside members,
  /// where a one-byte file is just content.
  public static func truncatedMagic(_ prefix: [UInt8]) -> LayerKind? {
    if !prefix.isEmpty, prefix.count < 8 {
      if XbstreamChunkHeader.magic.starts(with: prefix) { return .xbstream }
      if xbcryptMagics[2].starts(with: prefix) { return .xbcrypt }
      if Array("qpress10".utf8).starts(with: prefix) { return .qpress }
      if [0x1F, 0x8B, 0x08].starts(with: prefix) && prefix.count <= 3 && prefix.count >= 2 { return .gzip }
    }
    return nil
  }
}
