import Formats

/// What a verification run checks and with which keys.
public struct VerifyOptions: Sendable {
  /// How to read xbstream `S` chunks (Percona sparse vs MariaDB seek).
  public var dialect: XbstreamDialect = .auto
  /// Compute SHA-256 of the input and of every member (evidence). Off with `--no-digests`.
  public var computeDigests = true
  /// Candidate keys for xbcrypt layers (usually one).
  public var keys: [KeyMaterial] = []
  /// `--cipher AES256` and friends: the key length must select this AES variant.
  public var assertedCipher: AESVariant?
  /// A member whose content grows past this many bytes stops being decompressed (time bound).
  public var maxMemberSize: UInt64 = VerifyLimits.defaultMaxMemberSize
  /// An encrypted layer without a key is "could not evaluate" (exit 3) instead of a warning.
  public var requireKey = false
  /// Read, run the layers and compute digests on separate threads (the report is identical);
  /// false runs everything on the caller's thread (`--single-thread`, for comparison).
  public var parallel = true

  public init() {}
}


/// Named limits of the engine (the format limits live beside each format's reader).
public enum VerifyLimits {
  /// Members tracked in one input (records are kept for the report).
  public static let maxMembers = 1_000_000
  /// Layers nested inside one another (xbstream > xbcrypt > qpress > … ).
  public static let maxLayerDepth = 8
  /// Default `--max-member-size`: 1 TiB of decompressed content per member.
  public static let defaultMaxMemberSize: UInt64 = 1 << 40
  /// Bytes a sniffer holds before deciding a member's layer (a tar header block).
  public static let sniffLength = 512
  /// Printable text at the start of an input searched for a magic (log lines in a stream).
  public static let maxLeadingText = 64 * 1024
}
