/// Whether bytes are all zero, eight at a time: InnoDB tablespaces are often a third empty pages,
/// so the per-page "is it empty" test must cost about what a memory read does.
public enum ZeroScan {
  /// True when every byte of `bytes` is 0.
  @inlinable
  public static func isAllZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let count = bytes.count
    var i = 0
    // Four words per step, OR-ed, so the loop has one branch per 32 bytes.
    while i + 32 <= count {
      let a = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      let b = base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
      let c = base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)
      let d = base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
      if (a | b | c | d) != 0 { return false }
      i += 32
    }
    while i < count {
      if base.load(fromByteOffset: i, as: UInt8.self) != 0 { return false }
      i += 1
    }
    return true
  }

  /// True when every byte of `bytes` outside `ignoring` is 0.
  public static func isAllZero(_ p: UnsafeRawBufferPointer, ignoring: Range<Int>) -> Bool {
    let lower = min(max(ignoring.lowerBound, 0), p.count), upper = min(max(ignoring.upperBound, lower), p.count)
    return isAllZero(UnsafeRawBufferPointer(rebasing: p[..<lower])) && isAllZero(UnsafeRawBufferPointer(rebasing: p[upper...]))
  }

  /// True when every byte of `bytes` outside `ignoring` is 0.
  public static func isAllZero(_ bytes: [UInt8], ignoring: Range<Int> = 0..<0) -> Bool {
    bytes.withUnsafeBytes { isAllZero($0, ignoring: ignoring) }
  }
}
