/// A strict QuickLZ decompressor for levels 1, 2 and 3 with streaming buffer 0 (spec §4), written
/// from the spec: every packet is independent, every declared size is checked before use, and every
/// read and write is bounds-checked before it happens (a bad packet throws, never traps).
///
/// Body layout (after the 3- or 9-byte ``QuickLZPacketHeader``): 32-bit LE control words, bit 31 a
/// sentinel, bits 0–30 one per token (1 = match, 0 = literal byte), interleaved with the tokens they
/// describe. Match tokens by level:
///
/// | Level | Token | Source |
/// |---|---|---|
/// | 1 | 2–3 bytes: hash (12 bits), length 3…17 or a length byte | newest position under the hash (table of 4 096) |
/// | 2 | 2–3 bytes: hash (11 bits), slot (2 bits), length 3…9 or a length byte | table of 2 048 × 4 positions |
/// | 3 | 1–4 bytes: offset and length | output position − offset |
///
/// Checks (§4.8): header bits, level, streaming code, D ≥ 1 and D ≤ the caller's bound, packet length
/// vs header and D; control words, tokens and literals inside the packet; match source set in this
/// packet, at distance ≥ 3; match length ≥ 3 with ≥ 4 literals after it; output exactly D bytes;
/// body consumed exactly, except the padded tiny packet (D ≤ 4, declared length 12, §4.1).
///
/// The decoder keeps its hash tables between calls (cleared per packet) and writes into a buffer
/// the caller owns and reuses, so the hot loop allocates nothing.
public struct QuickLZDecoder {
  private static let unset = UInt32.max
  /// Scratch bytes after the output that copies may overrun (they write at least 16 bytes).
  public static let copySlack = 16
  private static let level1Slots = 4096
  private static let level2Slots = 2048
  private static let level2Ways = 4

  private var table1 = [UInt32](repeating: QuickLZDecoder.unset, count: QuickLZDecoder.level1Slots)
  private var table2 = [UInt32](repeating: QuickLZDecoder.unset, count: QuickLZDecoder.level2Slots * QuickLZDecoder.level2Ways)
  private var counters = [UInt8](repeating: 0, count: QuickLZDecoder.level2Slots)

  /// Whether level-1 packets use ``decodeLevel1Fast(_:total:into:table:cursor:)`` where its margins
  /// allow (the default). Off only where tests and the fuzzer compare it with the careful loop alone:
  /// both give the same bytes and the same errors.
  public var usesLevel1FastPath = true

  public init() {}

  /// Decompresses one whole packet.
  ///
  /// - Parameters:
  ///   - packet: exactly the packet's bytes, header included.
  ///   - maxDecompressedLength: the bound on D (the archive's chunk size).
  ///   - output: grown to at least D + ``copySlack`` bytes if needed (never shrunk); bytes `0..<D`
  ///     receive the data, the slack after them is scratch.
  /// - Returns: the packet header (its `decompressedLength` is the number of bytes written).
  /// - Throws: ``QuickLZError`` for any violation of §4.8.
  @discardableResult
  public mutating func decompress(_ packet: UnsafeRawBufferPointer, maxDecompressedLength: Int,
                                  into output: inout [UInt8]) throws(QuickLZError) -> QuickLZPacketHeader {
    let header = try QuickLZPacketHeader(parsing: packet)
    try header.validate(maxDecompressedLength: maxDecompressedLength)
    guard UInt64(packet.count) == UInt64(header.packetLength) else {
      throw .packetLengthMismatch(declared: header.packetLength, available: packet.count)
    }
    let d = Int(header.decompressedLength)
    let room = d + Self.copySlack
    if output.count < room { output.append(contentsOf: repeatElement(0, count: room - output.count)) }
    let start = header.headerLength

    if !header.isCompressed {
      output.withUnsafeMutableBytes { out in
        out.baseAddress!.copyMemory(from: packet.baseAddress!.advanced(by: start), byteCount: d)
      }
      return header
    }

    var t1 = [UInt32](); var t2 = [UInt32](); var ctr = [UInt8]()
    swap(&t1, &table1); swap(&t2, &table2); swap(&ctr, &counters)
    defer { swap(&t1, &table1); swap(&t2, &table2); swap(&ctr, &counters) }
    let level = header.level, fast = usesLevel1FastPath
    if level == 1 {
      t1.withUnsafeMutableBufferPointer { $0.update(repeating: Self.unset) }
    } else if level == 2 {
      t2.withUnsafeMutableBufferPointer { $0.update(repeating: Self.unset) }
      ctr.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
    let failure: QuickLZError? = output.withUnsafeMutableBufferPointer { out in
      t1.withUnsafeMutableBufferPointer { t1 in
        t2.withUnsafeMutableBufferPointer { t2 in
          ctr.withUnsafeMutableBufferPointer { ctr in
            // One specialised copy of the loop per level: the level tests leave the hot path.
            switch level {
            case 1: Self.decodeBody(packet, from: start, level: 1, count: d, into: out, table1: t1, table2: t2, counters: ctr,
                                    fastPath: fast)
            case 2: Self.decodeBody(packet, from: start, level: 2, count: d, into: out, table1: t1, table2: t2, counters: ctr, fastPath: false)
            default: Self.decodeBody(packet, from: start, level: 3, count: d, into: out, table1: t1, table2: t2, counters: ctr, fastPath: false)
            }
          }
        }
      }
    }
    if let failure { throw failure }
    return header
  }

  // MARK: Body decoding (Internal)

  /// Copies `count` literal bytes from `src[at...]` to `dst`: at least 16 bytes, then eight a step,
  /// while the source has 16 bytes to spare, overrunning `dst + count` by up to 15 (the run ends at
  /// least 11 bytes before the packet's output, and the buffer has ``copySlack``); the caller has
  /// checked `at + count ≤ end`.
  @inline(__always)
  static func copyLiterals(_ src: UnsafeRawBufferPointer, at s: Int, end: Int, to dst: UnsafeMutablePointer<UInt8>, count: Int) {
    let from = src.baseAddress! + s
    if s &+ count &+ 16 <= end {
      // 16 bytes whatever the count (most runs are shorter): one predictable path.
      let to = UnsafeMutableRawPointer(dst)
      to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
      to.storeBytes(of: (from + 8).loadUnaligned(as: UInt64.self), toByteOffset: 8, as: UInt64.self)
      var i = 16
      while i < count {
        to.storeBytes(of: (from + i).loadUnaligned(as: UInt64.self), toByteOffset: i, as: UInt64.self)
        i &+= 8
      }
    } else {
      dst.update(from: from.assumingMemoryBound(to: UInt8.self), count: count)
    }
  }

  /// `out[to + i] = out[from + i]` for `i` in `0..<count`, in increasing `i`: when the distance is
  /// shorter than the count the source overlaps what is being written and the pattern repeats.
  ///
  /// Sixteen bytes at once, then eight per step (matches are short and often repeats, so a `memcpy`
  /// call or a byte loop costs more), overrunning `to + count` by up to 15 bytes (a match ends 4 or
  /// more bytes before the output does): the caller's buffer has ``copySlack``
  /// bytes past the packet's output, and bytes past `to + count` are written again before anything
  /// reads them. With a distance under 8 the first bytes are copied one by one until a whole number
  /// of periods ≥ 8 is written, then the copy reads from that period. The caller has checked
  /// `to + count ≤ D` and `to − from ≥ 3`.
  @inline(__always)
  static func copyMatch(_ base: UnsafeMutablePointer<UInt8>, from source: Int, to d: Int, count length: Int) {
    var distance = d &- source
    var i = 0
    if distance < 8 {
      let period = min(length, distance &* ((8 &+ distance &- 1) / distance))
      while i < period { base[d &+ i] = base[source &+ i]; i &+= 1 }
      distance = period
    }
    let src = UnsafeRawPointer(base + (d &- distance)), dst = UnsafeMutableRawPointer(base + d)
    if i == 0 {
      // 16 bytes whatever the length (most matches are shorter): one predictable path.
      dst.storeBytes(of: src.loadUnaligned(as: UInt64.self), as: UInt64.self)
      dst.storeBytes(of: (src + 8).loadUnaligned(as: UInt64.self), toByteOffset: 8, as: UInt64.self)
      i = 16
    }
    while i < length {
      dst.storeBytes(of: (src + i).loadUnaligned(as: UInt64.self), toByteOffset: i, as: UInt64.self)
      i &+= 8
    }
  }

  /// Registers output positions `first...last` in the level 1 table, in increasing order (a later
  /// position overwrites an earlier one with the same hash, as in the compressor). Six positions per
  /// 8-byte load: position `p + 5` needs bytes up to `p + 7`, all written (`last + 2` is).
  @inline(__always)
  static func registerLevel1(_ out: UnsafeMutablePointer<UInt8>, from first: Int, through last: Int,
                             table: UnsafeMutableBufferPointer<UInt32>) {
    @inline(__always) func put(_ v: UInt32, _ p: Int) {
      table[Int(((v >> 12) ^ v) & 0xFFF)] = UInt32(truncatingIfNeeded: p)
    }
    var p = first
    while p &+ 5 <= last {
      let x = UnsafeRawPointer(out + p).loadUnaligned(as: UInt64.self)
      let lo = UInt32(truncatingIfNeeded: x), hi = UInt32(truncatingIfNeeded: x >> 32)
      put(lo & 0xFF_FFFF, p)
      put(lo >> 8, p &+ 1)
      put((lo >> 16) | (hi << 16) & 0xFF_FFFF, p &+ 2)
      put((lo >> 24) | (hi << 8) & 0xFF_FFFF, p &+ 3)
      put(hi & 0xFF_FFFF, p &+ 4)
      put(hi >> 8, p &+ 5)
      p &+= 6
    }
    while p < last {  // two positions per 4-byte load
      let x = UnsafeRawPointer(out + p).loadUnaligned(as: UInt32.self)
      put(x & 0xFF_FFFF, p)
      put(x >> 8, p &+ 1)
      p &+= 2
    }
    if p == last { put(UnsafeRawPointer(out + p).loadUnaligned(as: UInt32.self) & 0xFF_FFFF, p) }
  }

  /// Decodes the compressed body of `src[from...]` into `out[0..<count]`; nil on success. Inlined
  /// into each call with a constant `level`. Positions and lengths are below 2^32 (the header's
  /// u32 fields), so the loop's arithmetic wraps (`&+`) rather than checking for an overflow that
  /// cannot happen: those checks were a fifth of its instructions.
  @inline(__always)
  private static func decodeBody(_ src: UnsafeRawBufferPointer, from bodyStart: Int, level: Int, count total: Int,
                                 into out: UnsafeMutableBufferPointer<UInt8>, table1: UnsafeMutableBufferPointer<UInt32>,
                                 table2: UnsafeMutableBufferPointer<UInt32>, counters: UnsafeMutableBufferPointer<UInt8>,
                                 fastPath: Bool) -> QuickLZError? {
    let end = src.count
    let lastMatchStart = total - 11  // may be negative: then every byte is a tail literal
    let matchLimit = total - 4       // a match must end here or before
    var s = bodyStart
    var d = 0
    var control: UInt32 = 1
    var lastHashed = -1
    let hashed = level != 3

    /// Little-endian u32 at `at`, missing bytes past the end read as zero (a token peek).
    @inline(__always) func peek32(_ at: Int) -> UInt32 {
      if at &+ 4 <= end { return UInt32(littleEndian: src.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
      var v: UInt32 = 0
      var i = at
      while i < end { v |= UInt32(src[i]) << (8 * UInt32(i - at)); i += 1 }
      return v
    }
    let outBase = out.baseAddress!
    /// The three bytes at `p`, little-endian. One 4-byte load: registered positions are always at
    /// least 4 bytes before the end of the output (`p + 3 < total`), and the fourth byte is masked.
    @inline(__always) func hashAt(_ p: Int) -> UInt32 {
      UnsafeRawPointer(outBase + p).loadUnaligned(as: UInt32.self) & 0xFF_FFFF
    }
    /// Registers output position `p` (its three bytes are known) in the level's table.
    @inline(__always) func register(_ p: Int) {
      let v = hashAt(p)
      if level == 1 {
        table1[Int(((v >> 12) ^ v) & 0xFFF)] = UInt32(truncatingIfNeeded: p)
      } else {
        let h = Int(((v >> 9) ^ (v >> 13) ^ v) & 0x7FF)
        let c = counters[h]
        table2[h &* 4 &+ Int(c & 3)] = UInt32(truncatingIfNeeded: p)
        counters[h] = c &+ 1
      }
    }

    // Level 1 hands whole control words to the fast path while its margins hold (most of a packet).
    let fastInput = end &- FastMargin.input, fastOutput = total &- FastMargin.output
    while true {
      if fastPath && control == 1 && s <= fastInput && d <= fastOutput {
        var cursor = Cursor(s: s, d: d, control: control, lastHashed: lastHashed)
        decodeLevel1Fast(src, total: total, into: outBase, table: table1.baseAddress!, cursor: &cursor)
        s = cursor.s; d = cursor.d; control = cursor.control; lastHashed = cursor.lastHashed
      }
      if control == 1 {
        guard end &- s >= 4 else { return .readPastEnd(offset: s, what: "control word") }
        control = UInt32(littleEndian: src.loadUnaligned(fromByteOffset: s, as: UInt32.self))
        s &+= 4
      }
      if control & 1 == 1 {
        control >>= 1
        let tokenAt = s
        let f = peek32(s)
        var source: Int
        var length: Int
        var tokenLength: Int
        var slot = -1  // the hash slot read (levels 1 and 2), for the error
        switch level {
        case 1:
          slot = Int((f >> 4) & 0xFFF)
          if f & 0xF != 0 { length = Int(f & 0xF) &+ 2; tokenLength = 2 } else { length = Int((f >> 16) & 0xFF); tokenLength = 3 }
          source = Int(table1[slot])  // unset (UInt32.max) fails the distance test below
        case 2:
          slot = Int((f >> 5) & 0x7FF) &* 4 &+ Int(f & 3)
          if f & 0x1C != 0 { length = Int((f >> 2) & 7) &+ 2; tokenLength = 2 } else { length = Int((f >> 16) & 0xFF); tokenLength = 3 }
          source = Int(table2[slot])
        default:
          let distance: Int
          if f & 3 == 0 {
            distance = Int((f & 0xFF) >> 2); length = 3; tokenLength = 1
          } else if f & 3 == 1 {
            distance = Int((f & 0xFFFF) >> 2); length = 3; tokenLength = 2
          } else if f & 3 == 2 {
            distance = Int((f & 0xFFFF) >> 6); length = Int((f >> 2) & 0xF) + 3; tokenLength = 2
          } else if f & 0x7F != 3 {
            distance = Int((f >> 7) & 0x1FFFF); length = Int((f >> 2) & 0x1F) + 2; tokenLength = 3
          } else {
            distance = Int(f >> 15); length = Int((f >> 7) & 0xFF) + 3; tokenLength = 4
          }
          source = d &- distance
        }
        // One test for the usual case; the rules are told apart (in the spec's order) only on failure.
        guard end &- s >= tokenLength, source >= 0, d &- source >= 3 else {
          if slot >= 0 && source == Int(unset) {
            return end - s >= tokenLength ? .unsetHashSlot(offset: tokenAt, slot: slot) : .readPastEnd(offset: tokenAt, what: "match token")
          }
          if end - s < tokenLength { return .readPastEnd(offset: tokenAt, what: "match token") }
          return .badMatchSource(offset: tokenAt, position: d, distance: d - source)
        }
        s &+= tokenLength
        guard length >= 3, length <= matchLimit &- d else {
          return .badMatchLength(offset: tokenAt, position: d, length: length, decompressedLength: total)
        }
        copyMatch(outBase, from: source, to: d, count: length)
        if level == 1 {
          registerLevel1(outBase, from: lastHashed &+ 1, through: d, table: table1)
          lastHashed = d &+ length &- 1
        } else if hashed {
          while lastHashed < d { lastHashed &+= 1; register(lastHashed) }
          lastHashed = d &+ length &- 1
        }
        d &+= length
      } else if d < lastMatchStart {
        // A run of literals: the control word's low zero bits, up to where the tail starts.
        let run = min(control.trailingZeroBitCount, lastMatchStart &- d)
        guard end &- s >= run else { return .readPastEnd(offset: end, what: "literal") }
        copyLiterals(src, at: s, end: end, to: outBase + d, count: run)
        d &+= run; s &+= run
        control = run < 32 ? control >> UInt32(run) : 0
        if level == 1 {
          if lastHashed < d &- 3 { registerLevel1(outBase, from: lastHashed &+ 1, through: d &- 3, table: table1); lastHashed = d &- 3 }
        } else if hashed { while lastHashed < d &- 3 { lastHashed &+= 1; register(lastHashed) } }
      } else {
        // Tail: the rest are literals; control words are skipped uninterpreted.
        while d < total {
          if control == 1 {
            guard end - s >= 4 else { return .readPastEnd(offset: s, what: "control word") }
            s += 4
            control = 0x8000_0000
          }
          guard s < end else { return .readPastEnd(offset: s, what: "literal") }
          out[d] = src[s]
          d += 1; s += 1
          control >>= 1
        }
        break
      }
    }
    // The compressor pads 1–4 byte inputs to a 12-byte packet with unspecified bytes (§4.1).
    let paddedTiny = total <= 4 && end == 12 && bodyStart == QuickLZPacketHeader.shortLength
    if s != end && !paddedTiny { return .unconsumedBytes(consumed: s, declared: UInt32(end)) }
    return nil
  }
}
