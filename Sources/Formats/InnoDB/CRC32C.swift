internal import CISAL

/// CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, preset and final XOR 0xFFFFFFFF), computed
/// incrementally. Check value of ASCII `123456789`: 0xE3069283. InnoDB's page checksums use it (§8).
///
/// ISA-L's `crc32_iscsi` (hardware CRC32 instruction) by default; it takes and returns the raw
/// register without the pre/post inversion, so this type keeps the register and inverts on read.
/// ``Implementation/table`` is a hand-written byte-at-a-time table (tests compare the two).
public struct CRC32C: Sendable {
  public enum Implementation: Sendable { case isal, table }
  private var register: UInt32 = 0xFFFF_FFFF
  private let implementation: Implementation

  /// The CRC of the bytes fed so far.
  public var value: UInt32 { ~register }

  public init(_ implementation: Implementation = .isal) { self.implementation = implementation }

  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    switch implementation {
    case .isal:
      var done = 0
      while done < bytes.count {  // ISA-L takes an `int` length
        let n = min(bytes.count - done, 1 << 30)
        let p = UnsafeMutablePointer(mutating: base.advanced(by: done).assumingMemoryBound(to: UInt8.self))
        register = crc32_iscsi(p, Int32(n), register)
        done += n
      }
    case .table:
      var r = register
      for b in bytes { r = CRC32C.table[Int((r ^ UInt32(b)) & 0xFF)] ^ (r >> 8) }
      register = r
    }
  }

  public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

  /// CRC-32C of `bytes[range]` in one call.
  public static func checksum(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ implementation: Implementation = .isal) -> UInt32 {
    var c = CRC32C(implementation)
    c.update(UnsafeRawBufferPointer(rebasing: bytes[range]))
    return c.value
  }

  /// CRC-32C of `bytes[range]` in one call.
  public static func checksum(_ bytes: [UInt8], _ range: Range<Int>, _ implementation: Implementation = .isal) -> UInt32 {
    bytes.withUnsafeBytes { checksum($0, range, implementation) }
  }

  /// CRC-32C of all of `bytes`.
  public static func checksum(_ bytes: [UInt8], _ implementation: Implementation = .isal) -> UInt32 {
    checksum(bytes, 0..<bytes.count, implementation)
  }

  /// The 256-entry table of the reflected polynomial 0x82F63B78.
  static let table: [UInt32] = (0..<256).map { i -> UInt32 in
    var c = UInt32(i)
    for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
    return c
  }
}
