extension QuickLZDecoder {
  /// Where the level-1 body decoder stands between tokens: packet and output positions, the control
  /// word's remaining bits (1 = exhausted: the next 4 bytes are a control word) and the last output
  /// position registered in the hash table.
  struct Cursor {
    var s: Int
    var d: Int
    var control: UInt32
    var lastHashed: Int
  }

  /// The margins that make a level-1 token safe to decode without its own bounds tests.
  ///
  /// A control word carries at most 31 tokens of at most 3 packet bytes (93), a literal run is
  /// copied 32 bytes at once, a token is peeked 4 bytes at once: a word loaded at `s ≤ end − 132`
  /// keeps every read of its tokens inside the packet. A token at `d ≤ total − 11 − 288` writes at
  /// most 255 + 32 bytes, none of them past the last match start (`total − 11`), so neither the
  /// match-end rule nor the tail of literals can apply to it.
  enum FastMargin {
    static let input = 4 + 31 * 3 + 32 + 3
    static let output = 11 + 255 + 32 + 1
  }

  /// Decodes level-1 tokens from `cursor` as long as every bounds rule holds by the margins alone,
  /// so that per token only the match source (set, at distance ≥ 3) and a long match's length byte
  /// (≥ 3) are tested. It stops at a token boundary: at a control word past the input margin, at a
  /// token past the output margin, at a control word without its sentinel bit, or before a token
  /// that breaks a rule, which the careful loop in ``decodeBody`` then decodes again and reports
  /// (so the findings are the careful loop's, to the byte). About a third fewer instructions per
  /// token than the careful loop on real qpress data, where QuickLZ is most of a run's time.
  ///
  /// `table` has 4 096 entries; `out` has room for `total` + ``copySlack`` bytes.
  @inline(never)
  static func decodeLevel1Fast(_ src: UnsafeRawBufferPointer, total: Int, into out: UnsafeMutablePointer<UInt8>,
                               table: UnsafeMutablePointer<UInt32>, cursor: inout Cursor) {
    guard let base = src.baseAddress else { return }
    let inputLimit = src.count &- FastMargin.input
    let outputLimit = total &- FastMargin.output
    var s = cursor.s, d = cursor.d, control = cursor.control, lastHashed = cursor.lastHashed
    defer { cursor = Cursor(s: s, d: d, control: control, lastHashed: lastHashed) }

    while d <= outputLimit {
      if control == 1 {
        guard s <= inputLimit else { return }
        let word = UInt32(littleEndian: (base + s).loadUnaligned(as: UInt32.self))
        // Every real control word has its sentinel; without it the careful loop decodes the word.
        guard word & 0x8000_0000 != 0 else { return }
        control = word
        s &+= 4
      }
      if control & 1 == 1 {
        let f = UInt32(littleEndian: (base + s).loadUnaligned(as: UInt32.self))
        var length = Int(f & 0xF) &+ 2
        var tokenLength = 2
        if length == 2 {
          length = Int((f >> 16) & 0xFF)
          tokenLength = 3
          guard length >= 3 else { return }
        }
        let source = Int(table[Int((f >> 4) & 0xFFF)])
        guard d &- source >= 3 else { return }  // an unset slot (UInt32.max) fails here too
        copyMatch(out, from: source, to: d, count: length)
        registerLevel1Span(out, from: lastHashed &+ 1, through: d, table: table)
        lastHashed = d &+ length &- 1
        d &+= length
        s &+= tokenLength
        control >>= 1
      } else {
        // The sentinel bounds the run: at most the word's 31 tokens.
        let run = control.trailingZeroBitCount
        let from = base + s, to = UnsafeMutableRawPointer(out + d)
        to.storeBytes(of: from.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
        to.storeBytes(of: (from + 16).loadUnaligned(as: SIMD16<UInt8>.self), toByteOffset: 16, as: SIMD16<UInt8>.self)
        d &+= run
        s &+= run
        control &>>= UInt32(truncatingIfNeeded: run)  // run ≤ 31: no over-shift to guard
        if lastHashed < d &- 3 {
          registerLevel1Span(out, from: lastHashed &+ 1, through: d &- 3, table: table)
          lastHashed = d &- 3
        }
      }
    }
  }

  /// Registers positions `first...last` (`last + 2` written, 8 readable bytes from `last`) in the
  /// level-1 table in increasing order, like ``registerLevel1(_:from:through:table:)`` but shaped
  /// for the short spans the fast path sees (one position after a match that follows a match,
  /// three after a literal run). One 8-byte load `x` serves six positions, and one shift and XOR
  /// serve their hashes: position `p + k` hashes to `((v >> 12) ^ v) & 0xFFF` with `v = x >> 8k`,
  /// which is `(t >> 8k) & 0xFFF` with `t = x ^ (x >> 12)` (the bits above `v`'s 24 fall outside the mask).
  @inline(__always)
  static func registerLevel1Span(_ out: UnsafeMutablePointer<UInt8>, from first: Int, through last: Int,
                                 table: UnsafeMutablePointer<UInt32>) {
    var p = first
    while p <= last {
      let x = UInt64(littleEndian: UnsafeRawPointer(out + p).loadUnaligned(as: UInt64.self))
      let t = x ^ (x &>> 12)
      @inline(__always) func put(_ k: Int) {
        table[Int(truncatingIfNeeded: (t &>> UInt64(8 * k)) & 0xFFF)] = UInt32(truncatingIfNeeded: p &+ k)
      }
      put(0)
      if p &+ 1 > last { return }
      put(1)
      if p &+ 2 > last { return }
      put(2)
      if p &+ 3 > last { return }
      put(3)
      if p &+ 4 > last { return }
      put(4)
      if p &+ 5 > last { return }
      put(5)
      p &+= 6
    }
  }
}
