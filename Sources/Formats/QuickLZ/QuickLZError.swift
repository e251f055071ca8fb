/// Why a QuickLZ packet cannot be decoded (spec §4.8). Offsets count bytes from the packet's first
/// byte (its flags byte).
public enum QuickLZError: Error, Equatable, Sendable {
  /// Fewer bytes than the header the flags byte announces.
  case truncatedHeader(available: Int, needed: Int)
  /// Bit 6 clear or bit 7 set in the flags byte.
  case badFlags(UInt8)
  /// Level bits 0 (levels are 1, 2, 3).
  case badLevel(UInt8)
  /// A streaming-buffer code other than 0 (neither qpress nor xtrabackup decodes one).
  case streamingBuffer(UInt8)
  /// Decompressed length 0 (the compressor never writes it).
  case zeroDecompressedLength
  /// Decompressed length over the container's bound (the qpress chunk size).
  case decompressedTooLarge(declared: UInt32, limit: Int)
  /// Packet length under the header length, or under 9 for a compressed packet.
  case packetTooShort(declared: UInt32, minimum: UInt32)
  /// A stored packet whose length is not header + D.
  case storedLengthMismatch(declared: UInt32, expected: UInt64)
  /// The bytes given are not exactly the declared packet length.
  case packetLengthMismatch(declared: UInt32, available: Int)
  /// A control word, match token or literal would be read past the packet's end.
  case readPastEnd(offset: Int, what: String)
  /// A level 1/2 match names a hash slot no position was registered in, in this packet.
  case unsetHashSlot(offset: Int, slot: Int)
  /// A match source before the output start, or nearer than 3 bytes.
  case badMatchSource(offset: Int, position: Int, distance: Int)
  /// A match length under 3, or one that leaves fewer than 4 final literals.
  case badMatchLength(offset: Int, position: Int, length: Int, decompressedLength: Int)
  /// Decoding ended before the packet's last byte (outside the padded tiny case).
  case unconsumedBytes(consumed: Int, declared: UInt32)

  /// The packet offset of the failing element (0 for header problems).
  public var offset: Int {
    switch self {
    case let .readPastEnd(o, _), let .unsetHashSlot(o, _), let .badMatchSource(o, _, _), let .badMatchLength(o, _, _, _): o
    case let .unconsumedBytes(c, _): c
    default: 0
    }
  }

  /// Whether the packet header itself is at fault (as opposed to its compressed body).
  public var isHeaderError: Bool {
    switch self {
    case .readPastEnd, .unsetHashSlot, .badMatchSource, .badMatchLength, .unconsumedBytes: false
    default: true
    }
  }
}

extension QuickLZError: CustomStringConvertible {
  public var description: String {
    switch self {
    case let .truncatedHeader(available, needed): "QuickLZ packet header truncated: \(available) of \(needed) bytes"
    case let .badFlags(f): "QuickLZ flags byte 0x\(hex(f)): bit 6 must be set and bit 7 clear"
    case let .badLevel(f): "QuickLZ flags byte 0x\(hex(f)) names level 0 (levels are 1–3)"
    case let .streamingBuffer(f): "QuickLZ flags byte 0x\(hex(f)) names streaming-buffer code \((f >> 4) & 3); only 0 is decodable"
    case .zeroDecompressedLength: "QuickLZ packet declares 0 decompressed bytes"
    case let .decompressedTooLarge(declared, limit): "QuickLZ packet declares \(declared) decompressed bytes, over the limit of \(limit)"
    case let .packetTooShort(declared, minimum): "QuickLZ packet length \(declared) is under the minimum of \(minimum)"
    case let .storedLengthMismatch(declared, expected): "stored QuickLZ packet length \(declared), expected header + data = \(expected)"
    case let .packetLengthMismatch(declared, available): "QuickLZ packet declares \(declared) bytes but \(available) were given"
    case let .readPastEnd(offset, what): "QuickLZ \(what) at packet offset \(offset) runs past the packet end"
    case let .unsetHashSlot(offset, slot): "QuickLZ match at packet offset \(offset) refers to hash slot \(slot), which holds no position"
    case let .badMatchSource(offset, position, distance):
      "QuickLZ match at packet offset \(offset) copies from distance \(distance) at output position \(position) (must be 3 or more, within the output)"
    case let .badMatchLength(offset, position, length, d):
      "QuickLZ match at packet offset \(offset) of length \(length) at output position \(position) overruns the \(d)-byte output (the last 4 bytes are literals)"
    case let .unconsumedBytes(consumed, declared): "QuickLZ decoding ended after \(consumed) of the packet's \(declared) bytes"
    }
  }
}

private func hex(_ b: UInt8) -> String { b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16) }
