import Testing
import Formats

@Suite struct CRC32CTests {
  static let check = Array("123456789".utf8)

  @Test(arguments: [CRC32C.Implementation.isal, .table])
  func checkValue(_ implementation: CRC32C.Implementation) {
    #expect(CRC32C.checksum(Self.check, implementation) == 0xE306_9283)
    #expect(CRC32C.checksum([], implementation) == 0)
  }

  @Test(arguments: [CRC32C.Implementation.isal, .table])
  func incrementalEqualsOneShot(_ implementation: CRC32C.Implementation) {
    let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    var c = CRC32C(implementation)
    var i = 0
    while i < bytes.count { let n = min(7, bytes.count - i); c.update(Array(bytes[i..<(i + n)])); i += n }
    #expect(c.value == CRC32C.checksum(bytes, .table))
    #expect(CRC32C.checksum(bytes, .isal) == CRC32C.checksum(bytes, .table))
  }

  @Test func subrange() {
    let bytes = Array("xx123456789yy".utf8)
    #expect(CRC32C.checksum(bytes, 2..<11) == 0xE306_9283)
  }
}
