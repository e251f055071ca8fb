internal import CISAL
internal import CZlib

/// The zlib / ISO-3309 CRC-32 (reflected 0xEDB88320, preset and final XOR 0xFFFFFFFF), computed
/// incrementally. Check value of ASCII `123456789`: 0xCBF43926.
///
/// Every CRC-32 in the toolkit goes through this type so that the implementation is chosen in one
/// place: ISA-L's `crc32_gzip_refl` (hardware carry-less multiply, ~3x zlib) by default,
/// zlib's `crc32` when ``Implementation/zlib`` is asked for (tests compare the two).
public struct CRC32: Sendable {
  public enum Implementation: Sendable { case isal, zlib }
  public private(set) var value: UInt32 = 0
  private let implementation: Implementation

  public init(_ implementation: Implementation = .isal) { self.implementation = implementation }

  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    switch implementation {
    case .isal:
      value = crc32_gzip_refl(value, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    case .zlib:
      var rest = bytes
      while !rest.isEmpty {  // zlib takes a 32-bit length
        let n = min(rest.count, 1 << 30)
        value = UInt32(crc32(UInt(value), base.advanced(by: bytes.count - rest.count).assumingMemoryBound(to: UInt8.self), UInt32(n)))
        rest = UnsafeRawBufferPointer(rebasing: rest[n...])
      }
    }
  }

  public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

  /// CRC-32 of `bytes` in one call.
  public static func checksum(_ bytes: [UInt8], _ implementation: Implementation = .isal) -> UInt32 {
    var c = CRC32(implementation); c.update(bytes); return c.value
  }
}
