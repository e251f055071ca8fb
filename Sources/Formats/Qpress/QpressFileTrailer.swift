/// The 16-byte trailer that ends a file of a qpress archive (spec §3.1, rules Q4, Q5, Q11).
///
/// | Offset | Size | Field |
/// |---|---|---|
/// | 0 | 8 | marker `ENDSENDS` |
/// | 8 | 8 | recovery (u64 LE): always 0 from qpress and xtrabackup |
public struct QpressFileTrailer: Equatable, Sendable {
  public static let marker: [UInt8] = Array("ENDSENDS".utf8)
  public static let length = 16

  /// Archive offset of the marker.
  public var offset: Int64
  public var markerBytes: [UInt8]
  public var value: UInt64

  public var isMarkerExact: Bool { markerBytes == Self.marker }

  public init(offset: Int64, markerBytes: [UInt8] = QpressFileTrailer.marker, value: UInt64 = 0) {
    self.offset = offset; self.markerBytes = markerBytes; self.value = value
  }

  /// Parses a trailer from its first bytes (the marker's first byte is taken as `E`). Pure.
  public static func parse(_ bytes: [UInt8], at offset: Int64) -> QpressParseStep<QpressFileTrailer> {
    guard bytes.count >= length else { return .needMore(length) }
    return .complete(QpressFileTrailer(offset: offset, markerBytes: Array(bytes[0..<8]), value: bytes.le64(at: 8)))
  }
}
