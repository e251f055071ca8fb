internal import CISAL
internal import CZlib

/// Adler-32 (RFC 1950, modulus 65521, initial value 1), as zlib's `adler32(1, …)`; check value of
/// `123456789`: 0x091E01DE. ISA-L's `isal_adler32` by default, zlib on request (tests compare them).
///
/// InnoDB's compressed-page "innodb" checksum chains Adler-32 from 0, hence ``init(seed:_:)``.
public struct Adler32: Sendable {
  public private(set) var value: UInt32
  private let implementation: CRC32.Implementation

  public init(seed: UInt32 = 1, _ implementation: CRC32.Implementation = .isal) {
    value = seed
    self.implementation = implementation
  }

  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    switch implementation {
    case .isal:
      value = isal_adler32(value, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    case .zlib:
      var done = 0
      while done < bytes.count {
        let n = min(bytes.count - done, 1 << 30)
        value = UInt32(adler32(UInt(value), base.advanced(by: done).assumingMemoryBound(to: UInt8.self), UInt32(n)))
        done += n
      }
    }
  }

  public mutating func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

  public static func checksum(_ bytes: [UInt8], _ implementation: CRC32.Implementation = .isal) -> UInt32 {
    var a = Adler32(implementation); a.update(bytes); return a.value
  }
}
