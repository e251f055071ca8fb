/// Fixed-width integer loads from byte arrays. Callers check the length first and throw a format
/// error instead; these trap (a bug in our code) when the bytes are not there.
extension Array where Element == UInt8 {
  @inline(__always) public func le16(at i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
  @inline(__always) public func le32(at i: Int) -> UInt32 {
    UInt32(self[i]) | UInt32(self[i + 1]) << 8 | UInt32(self[i + 2]) << 16 | UInt32(self[i + 3]) << 24
  }
  @inline(__always) public func le64(at i: Int) -> UInt64 { UInt64(le32(at: i)) | UInt64(le32(at: i + 4)) << 32 }
  @inline(__always) public func be16(at i: Int) -> UInt16 { UInt16(self[i]) << 8 | UInt16(self[i + 1]) }
  @inline(__always) public func be32(at i: Int) -> UInt32 {
    UInt32(self[i]) << 24 | UInt32(self[i + 1]) << 16 | UInt32(self[i + 2]) << 8 | UInt32(self[i + 3])
  }
  @inline(__always) public func be64(at i: Int) -> UInt64 { UInt64(be32(at: i)) << 32 | UInt64(be32(at: i + 4)) }

  /// Whether the bytes at `i` equal `magic` (false when fewer bytes remain).
  public func hasBytes(_ magic: [UInt8], at i: Int = 0) -> Bool {
    guard i >= 0, count - i >= magic.count else { return false }
    for k in 0..<magic.count where self[i + k] != magic[k] { return false }
    return true
  }
}

/// Big-endian loads from raw bytes (InnoDB pages checked where they lie in the caller's buffer).
/// Like the array loads they trap, here by a precondition, when the bytes are not there.
extension UnsafeRawBufferPointer {
  @inline(__always) public func be16(at i: Int) -> UInt16 {
    precondition(i >= 0 && i + 2 <= count, "be16 past the end")
    return UInt16(bigEndian: loadUnaligned(fromByteOffset: i, as: UInt16.self))
  }
  @inline(__always) public func be32(at i: Int) -> UInt32 {
    precondition(i >= 0 && i + 4 <= count, "be32 past the end")
    return UInt32(bigEndian: loadUnaligned(fromByteOffset: i, as: UInt32.self))
  }
  @inline(__always) public func be64(at i: Int) -> UInt64 { UInt64(be32(at: i)) << 32 | UInt64(be32(at: i + 4)) }
}

/// Overflow-checked size arithmetic: `nil` when the result does not fit.
@inline(__always) public func checkedAdd(_ a: UInt64, _ b: UInt64) -> UInt64? {
  let (r, o) = a.addingReportingOverflow(b); return o ? nil : r
}
@inline(__always) public func checkedAdd(_ a: Int64, _ b: Int64) -> Int64? {
  let (r, o) = a.addingReportingOverflow(b); return o ? nil : r
}
