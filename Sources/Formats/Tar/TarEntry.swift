/// One archive entry as a tar reader extracts it: its header with GNU long names and pax records
/// applied.
public struct TarEntry: Equatable, Sendable {
  /// Stream offset of the entry's first header block (an 'L', 'K' or 'x' header when present).
  public var offset: Int64
  public var header: TarHeader
  /// The effective path (pax `path`, GNU 'L', POSIX prefix/name, or name), untrusted bytes.
  public var path: [UInt8]
  public var linkPath: [UInt8]
  /// Bytes of data that follow the header (pax `size` overrides the header's).
  public var size: UInt64
  public var typeflag: UInt8 { header.typeflag }

  public enum Kind: Equatable, Sendable {
    case file, hardLink, symbolicLink, device, directory, fifo
    /// GNU types a reader may skip (volume label 'V', dump directory 'D') or cannot rebuild
    /// (old GNU sparse 'S', multivolume 'M').
    case gnuSpecial(UInt8)
    /// Not defined by POSIX or GNU: POSIX says read it as a regular file.
    case unknown(UInt8)
  }

  public var kind: Kind {
    switch header.typeflag {
    case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): .file
    case UInt8(ascii: "1"): .hardLink
    case UInt8(ascii: "2"): .symbolicLink
    case UInt8(ascii: "3"), UInt8(ascii: "4"): .device
    case UInt8(ascii: "5"): .directory
    case UInt8(ascii: "6"): .fifo
    case UInt8(ascii: "V"), UInt8(ascii: "D"), UInt8(ascii: "S"), UInt8(ascii: "M"), UInt8(ascii: "N"): .gnuSpecial(header.typeflag)
    case let t: .unknown(t)
    }
  }
}
