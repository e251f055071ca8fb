/// The header of one QuickLZ packet (spec §4.1): 3 bytes (short) or 9 bytes (long).
///
/// On-disk layout (integers little-endian; offsets from the packet's first byte):
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 1 | flags: bit 0 compressed, bit 1 long header, bits 2–3 level (1–3), bits 4–5 streaming code (0), bit 6 always 1, bit 7 always 0 |
/// | 1 | 1 or 4 | packet length, header included (u8 short, u32 long) |
/// | 2 or 5 | 1 or 4 | decompressed length D (u8 short, u32 long) |
///
/// A stored packet (bit 0 clear) is the header followed by exactly D raw bytes.
public struct QuickLZPacketHeader: Equatable, Sendable {
  public static let shortLength = 3
  public static let longLength = 9
  /// The shortest compressed packet the compressor reports (header + at least one control word + padding).
  public static let minimumCompressedLength: UInt32 = 9

  public var flags: UInt8
  public var packetLength: UInt32
  public var decompressedLength: UInt32

  public var isCompressed: Bool { flags & 0x01 != 0 }
  public var isLongHeader: Bool { flags & 0x02 != 0 }
  /// Level bits 2–3 (1, 2 or 3 in valid packets; 0 is invalid).
  public var level: Int { Int((flags >> 2) & 0x03) }
  /// Streaming-buffer code, bits 4–5 (must be 0).
  public var streamingCode: Int { Int((flags >> 4) & 0x03) }
  public var headerLength: Int { Self.headerLength(flags: flags) }

  /// The header length the flags byte announces.
  public static func headerLength(flags: UInt8) -> Int { flags & 0x02 != 0 ? longLength : shortLength }

  public init(flags: UInt8, packetLength: UInt32, decompressedLength: UInt32) {
    self.flags = flags; self.packetLength = packetLength; self.decompressedLength = decompressedLength
  }

  /// Reads the header fields from the first bytes of a packet. Pure; validates nothing but length.
  ///
  /// - Throws: ``QuickLZError/truncatedHeader(available:needed:)`` when `bytes` is shorter than the
  ///   header its flags byte announces.
  public init(parsing bytes: UnsafeRawBufferPointer) throws(QuickLZError) {
    guard let flags = bytes.first else { throw .truncatedHeader(available: 0, needed: 1) }
    let n = Self.headerLength(flags: flags)
    guard bytes.count >= n else { throw .truncatedHeader(available: bytes.count, needed: n) }
    self.flags = flags
    if n == Self.longLength {
      packetLength = UInt32(bytes[1]) | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) << 16 | UInt32(bytes[4]) << 24
      decompressedLength = UInt32(bytes[5]) | UInt32(bytes[6]) << 8 | UInt32(bytes[7]) << 16 | UInt32(bytes[8]) << 24
    } else {
      packetLength = UInt32(bytes[1])
      decompressedLength = UInt32(bytes[2])
    }
  }

  /// The §4.8 header checks: fixed bits, level, streaming code, lengths.
  ///
  /// - Parameter maxDecompressedLength: the container's bound on D (the qpress chunk size).
  public func validate(maxDecompressedLength: Int) throws(QuickLZError) {
    guard flags & 0x40 != 0, flags & 0x80 == 0 else { throw .badFlags(flags) }
    guard (1...3).contains(level) else { throw .badLevel(flags) }
    guard streamingCode == 0 else { throw .streamingBuffer(flags) }
    guard decompressedLength > 0 else { throw .zeroDecompressedLength }
    guard UInt64(decompressedLength) <= UInt64(max(0, maxDecompressedLength)) else {
      throw .decompressedTooLarge(declared: decompressedLength, limit: maxDecompressedLength)
    }
    let minimum = isCompressed ? max(UInt32(headerLength), Self.minimumCompressedLength) : UInt32(headerLength)
    guard packetLength >= minimum else { throw .packetTooShort(declared: packetLength, minimum: minimum) }
    if !isCompressed, UInt64(packetLength) != UInt64(headerLength) + UInt64(decompressedLength) {
      throw .storedLengthMismatch(declared: packetLength, expected: UInt64(headerLength) + UInt64(decompressedLength))
    }
  }
}
