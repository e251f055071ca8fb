/// The header of one block of a qpress file (spec §3.1–3.2): everything before the QuickLZ packet,
/// plus the packet's own header (which gives the block's length).
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 8 | marker `NEWBNEWB` (qpress checks only the first byte; we check all 8: rule Q4) |
/// | 8 | 8 | recovery (u64 LE): uncompressed offset of the block within its file (rule Q5) |
/// | 16 | 4 | Adler-32 (u32 LE, zlib, seed 1) over the whole stored packet (rule Q6) |
/// | 20 | 3 or 9 | QuickLZ packet header (``QuickLZPacketHeader``) |
/// | 20 | packet length | the QuickLZ packet, its header included |
///
/// Packet length must be at least the packet header and at most chunk_size + 400 (rule Q7).
public struct QpressBlockHeader: Equatable, Sendable {
  public static let marker: [UInt8] = Array("NEWBNEWB".utf8)
  /// Marker, recovery and Adler-32.
  public static let fixedLength = 20

  /// Archive offset of the marker.
  public var offset: Int64
  public var markerBytes: [UInt8]
  public var recovery: UInt64
  public var adler: UInt32
  public var packet: QuickLZPacketHeader
  /// The Adler-32 the parser computed over the stored packet (set once the packet is read).
  public var computedAdler: UInt32 = 0

  public var isMarkerExact: Bool { markerBytes == Self.marker }
  /// Bytes from the marker to the end of the packet.
  public var totalLength: Int { Self.fixedLength + Int(packet.packetLength) }

  public init(offset: Int64, markerBytes: [UInt8] = QpressBlockHeader.marker, recovery: UInt64, adler: UInt32,
              packet: QuickLZPacketHeader) {
    self.offset = offset; self.markerBytes = markerBytes; self.recovery = recovery; self.adler = adler; self.packet = packet
  }

  /// Parses a block header from its first bytes (the marker's first byte is taken as `N`). Pure.
  ///
  /// - Parameter chunkSize: the archive's chunk size (bounds the packet length).
  /// - Throws: ``QpressError/badPacketLength(offset:length:minimum:maximum:)``,
  ///   ``QpressError/blockOverLimit(offset:length:)``.
  public static func parse(_ bytes: [UInt8], at offset: Int64, chunkSize: UInt64) throws(QpressError) -> QpressParseStep<QpressBlockHeader> {
    let step = bytes.withUnsafeBytes { raw in
      Result { () throws(QpressError) in try parse(raw, at: offset, chunkSize: chunkSize) }
    }
    return try step.get()
  }

  /// The same from bytes in place (the qpress parser reads a block straight from the input when it
  /// lies whole in one piece).
  public static func parse(_ bytes: UnsafeRawBufferPointer, at offset: Int64, chunkSize: UInt64) throws(QpressError) -> QpressParseStep<QpressBlockHeader> {
    guard bytes.count > fixedLength else { return .needMore(fixedLength + 1) }
    let headerLength = QuickLZPacketHeader.headerLength(flags: bytes[fixedLength])
    guard bytes.count >= fixedLength + headerLength else { return .needMore(fixedLength + headerLength) }
    let packet: QuickLZPacketHeader
    do {
      packet = try QuickLZPacketHeader(parsing: UnsafeRawBufferPointer(rebasing: bytes[fixedLength...]))
    } catch { return .needMore(fixedLength + headerLength) }  // unreachable: the length was checked
    let maximum = chunkSize + QpressLimits.packetSlack
    guard packet.packetLength >= headerLength, UInt64(packet.packetLength) <= maximum else {
      throw .badPacketLength(offset: offset, length: packet.packetLength, minimum: headerLength, maximum: maximum)
    }
    guard UInt64(packet.packetLength) <= QpressLimits.maxBufferedPacket else {
      throw .blockOverLimit(offset: offset, length: packet.packetLength)
    }
    return .complete(QpressBlockHeader(offset: offset, markerBytes: Array(bytes[0..<8]),
                                       recovery: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
                                       adler: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt32.self)),
                                       packet: packet))
  }
}
