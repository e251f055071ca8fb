import Foundation
import Formats
import Inspect

/// The format targets. Each push parser is fed the input whole and in two pieces split at a point the
/// input chooses: both runs must make the same delegate calls and end with the same error (the
/// parsers promise piece-size independence). Then the engine runs on the bytes with the format's
/// magic forced in front, so every layer object and content check behind it is fuzzed too.
extension FuzzEntries {
  /// The xbstream push parser in both dialects, then the engine.
  public static func xbstream(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxInput else { return }
    for dialect in XbstreamDialect.allCases {
      same(data) { pieces, r throws(XbstreamError) in
        var p = XbstreamParser(dialect: dialect)
        for b in pieces { try p.feed(b, to: r) }
        try p.finish(r)
      }
    }
    engine(forcing(XbstreamChunkHeader.magic, data), name: "fuzz.xbstream", keys: [])
  }

  /// The xbcrypt chunk parser, then the engine without a key (structure, CRCs, IV rules only).
  public static func xbcrypt(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxInput else { return }
    xbcryptParser(data)
    engine(forcing(XbcryptChunkHeader.magicPrefix, data), name: "fuzz.xbcrypt", keys: [])
  }

  /// The xbcrypt layer with the corpus keys: decryption, key checks (v3 hash), and the layers under it.
  public static func xbcryptKeyed(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxInput else { return }
    xbcryptParser(data)
    engine(forcing(XbcryptChunkHeader.magicPrefix, data), name: "fuzz.xbcrypt", keys: corpusKeys)
  }

  static func xbcryptParser(_ data: UnsafeRawBufferPointer) {
    same(data) { pieces, r throws(XbcryptError) in
      var p = XbcryptParser()
      for b in pieces { try p.feed(b, to: r) }
      try p.finish(r)
    }
  }

  /// The qpress archive parser, then the engine (QuickLZ decoding, Adler-32, items, directories).
  public static func qpress(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxInput else { return }
    same(data) { pieces, r throws(QpressError) in
      var p = QpressParser()
      for b in pieces { try p.feed(b, to: r) }
      try p.finish(r)
    }
    engine(forcing(QpressArchiveHeader.magic, data), name: "fuzz.qp", keys: [])
  }

  /// One QuickLZ packet. The first byte chooses the bound on D (bits 0–1) and, when bit 2 is set,
  /// forces valid fixed flag bits and level 1 + (bits 3–4) % 3 so mutations reach the token decoder.
  /// Decoding the packet twice with one decoder must give the same bytes (tables reset per packet),
  /// the second time without the level-1 fast path: it must agree with the careful loop, errors included.
  public static func quicklz(_ data: UnsafeRawBufferPointer) {
    guard let control = data.first, data.count <= maxInput else { return }
    let bound = [16, 4096, 65536, 1 << 20][Int(control & 3)]
    var packet = Array(data.dropFirst())
    if control & 4 != 0, !packet.isEmpty {
      let level = 1 + Int((control >> 3) & 3) % 3
      packet[0] = (packet[0] & 0x03) | 0x40 | UInt8(level << 2)
    }
    var decoder = QuickLZDecoder()
    var first: [UInt8] = [], second: [UInt8] = []
    let a = packet.withUnsafeBytes { p in Result { () throws(QuickLZError) in try decoder.decompress(p, maxDecompressedLength: bound, into: &first) } }
    decoder.usesLevel1FastPath = false
    let b = packet.withUnsafeBytes { p in Result { () throws(QuickLZError) in try decoder.decompress(p, maxDecompressedLength: bound, into: &second) } }
    switch (a, b) {
    case let (.success(h1), .success(h2)):
      let n = Int(h1.decompressedLength)
      guard h1 == h2, n <= bound, first.count >= n, first[..<n] == second[..<n] else { fatalError("QuickLZ: two decodes of one packet (fast path, careful loop) differ") }
    case let (.failure(e1), .failure(e2)):
      guard e1 == e2 else { fatalError("QuickLZ: two decodes of one packet (fast path, careful loop) fail differently: \(e1) / \(e2)") }
      _ = e1.description
    default:
      fatalError("QuickLZ: one decode of a packet failed, the other did not")
    }
  }

  /// The gzip decoder (zlib inflate), then the engine.
  public static func gzip(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxInput else { return }
    same(data) { pieces, r throws(GzipError) in
      let d = GzipDecoder()
      for b in pieces { try d.feed(b, to: r) }
      try d.finish()
    }
    engine(forcing([0x1F, 0x8B, 0x08], data), name: "fuzz.gz", keys: [])
  }

  /// The tar parser, then the engine with "ustar\0" forced at offset 257 (where the sniffer looks).
  public static func tar(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxInput else { return }
    same(data) { pieces, r throws(TarError) in
      var p = TarParser()
      for b in pieces { try p.feed(b, to: r) }
      try p.finish(r)
    }
    var bytes = Array(data)
    if bytes.count < 512 { bytes += [UInt8](repeating: 0, count: 512 - bytes.count) }
    bytes.replaceSubrange(257..<263, with: Array("ustar\0".utf8))
    engine(bytes, name: "fuzz.tar", keys: [])
  }

  /// The zstd decoder (libzstd behind our frame walker), then the engine.
  public static func zstd(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxInput else { return }
    same(data) { pieces, r throws(ZstdError) in
      let d = ZstdDecoder()
      for b in pieces { try d.feed(b, to: r) }
      try d.finish()
    }
    engine(forcing([0x28, 0xB5, 0x2F, 0xFD], data), name: "fuzz.zst", keys: [])
  }

  /// The LZ4 frame decoder (liblz4 behind our frame walker), then the engine.
  public static func lz4(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxInput else { return }
    same(data) { pieces, r throws(LZ4Error) in
      let d = LZ4Decoder()
      for b in pieces { try d.feed(b, to: r) }
      try d.finish()
    }
    engine(forcing([0x04, 0x22, 0x4D, 0x18], data), name: "fuzz.lz4", keys: [])
  }

  /// Runs `parse` on the input whole and split in two; traps when the two runs disagree. When both
  /// fail, only structure events are compared: how much payload a decoder hands over before it
  /// detects an error may depend on the pieces.
  static func same<E: Error & Equatable>(_ data: UnsafeRawBufferPointer,
                                          _ parse: ([UnsafeRawBufferPointer], Recorder) throws(E) -> Void) {
    let k = cut(data)
    let whole = Recorder(), split = Recorder()
    let a = Result { () throws(E) in try parse([data], whole) }
    let b = Result { () throws(E) in try parse([UnsafeRawBufferPointer(rebasing: data[..<k]), UnsafeRawBufferPointer(rebasing: data[k...])], split) }
    switch (a, b) {
    case (.success, .success):
      guard whole.events == split.events, whole.pending == split.pending else {
        fatalError("\(E.self): split at \(k) gives other delegate calls")
      }
    case let (.failure(e1), .failure(e2)):
      guard e1 == e2 else { fatalError("\(E.self): split at \(k) gives another error: \(e1) / \(e2)") }
      guard whole.structure == split.structure else { fatalError("\(E.self): split at \(k) gives other structures before \(e1)") }
      _ = String(describing: e1)
    default:
      fatalError("\(E.self): split at \(k) changes success into failure or back: \(a) / \(b)")
    }
  }
}
