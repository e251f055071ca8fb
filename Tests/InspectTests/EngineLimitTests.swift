import Foundation
import Testing
import Formats
import Inspect
import TestSupport

/// The engine's named limits and the layer warnings tied to a format limit, at the limit and one past
/// it (LimitTests in FormatsTests has the parser limits). Not tested here, because the input would
/// be too costly to build in a test: VerifyLimits.maxMembers (a million members) and
/// XbstreamLimits.crcCoveredPayload beyond the header-only check below.
@Suite struct EngineLimitTests {
  static let key = Array("0123456789abcdef".utf8)

  /// `plain` encrypted `n` times over (each layer one xbcrypt v3 file).
  static func nested(_ n: Int) -> [UInt8] {
    (0..<n).reduce(Array("hello\n".utf8)) { data, i in XbcryptWriter.file(data, key: key, seed: "layer\(i)") }
  }

  @Test func layerDepth() {
    var o = VerifyOptions()
    o.keys = [KeyMaterial(bytes: Self.key, source: "test")]
    let at = Run.verify(Self.nested(VerifyLimits.maxLayerDepth), name: "x", options: o)
    #expect(at.findings(("limit.layer_depth")).isEmpty)
    #expect(at.verdict == .verified)
    #expect(at.members.first?.layers.filter { $0.hasPrefix("xbcrypt") }.count == VerifyLimits.maxLayerDepth)
    let over = Run.verify(Self.nested(VerifyLimits.maxLayerDepth + 1), name: "x", options: o)
    #expect(over.findings("limit.layer_depth").count == 1)
    #expect(over.verdict == .incomplete)
  }

  @Test func xbcryptLargeChunkWarning() {
    let at = XbcryptLimits.largeChunkWarning
    func header(_ size: UInt64) -> [UInt8] {
      Array("XBCRYP03".utf8) + XbcryptWriter.le(0, 8) + XbcryptWriter.le(size, 8) + XbcryptWriter.le(size, 8)
        + XbcryptWriter.le(0, 4) + XbcryptWriter.le(16, 8) + Array(0..<16)
    }
    let a = Run.verify(header(at), name: "x.xbcrypt"), b = Run.verify(header(at + 1), name: "x.xbcrypt")
    #expect(a.findings("xbcrypt.large_chunk").isEmpty)
    #expect(b.findings("xbcrypt.large_chunk").map(\.offset) == [0])
    // Both are cut short: the truncation is found either way, no 64 MiB buffer is allocated.
    #expect(a.verdict == .failed && b.verdict == .failed)
  }

  @Test func xbstreamPayloadOver4GiB() {
    func chunk(_ length: UInt64) -> [UInt8] {
      Array("XBSTCK01".utf8) + [0, UInt8(ascii: "P")] + XbcryptWriter.le(1, 4) + [0x61]
        + XbcryptWriter.le(length, 8) + XbcryptWriter.le(0, 8) + XbcryptWriter.le(0, 4)
    }
    let limit = XbstreamLimits.crcCoveredPayload
    let below = Run.verify(chunk(limit - 1), name: "x.xbstream"), at = Run.verify(chunk(limit), name: "x.xbstream")
    #expect(below.findings("xbstream.payload_over_4gib").isEmpty)
    #expect(at.findings("xbstream.payload_over_4gib").map(\.offset) == [0])
  }

  /// Fuzzing found it (fuzz/regressions/tar, xbstream): a member's declared payload lengths summed
  /// past 2^64 trapped. The sum saturates; the stream is reported truncated.
  @Test func declaredPayloadLengthsSaturate() {
    var s = StreamBuilder()
    s.payload("a", [1, 2, 3])
    s.raw(Array("XBSTCK01".utf8) + [0, UInt8(ascii: "P")] + XbcryptWriter.le(1, 4) + [0x61]
          + XbcryptWriter.le(.max, 8) + XbcryptWriter.le(3, 8) + XbcryptWriter.le(0, 4) + [9, 9])
    let r = Run.verify(s.bytes, name: "x.xbstream")
    #expect(r.verdict == .failed)
    #expect(r.members.map(\.storedSize) == [.max])
  }

  @Test func qpressWriterChunkSize() {
    func archive(_ size: UInt64) -> [UInt8] {
      var b = QpressBuilder(chunkSize: size)
      b.file("a"); b.trailer()
      return b.bytes
    }
    let at = Run.verify(archive(QpressLimits.writerMaxChunkSize), name: "a.qp")
    let over = Run.verify(archive(QpressLimits.writerMaxChunkSize + 1), name: "a.qp")
    #expect(at.findings("qpress.chunk_size_unusual").isEmpty)
    #expect(at.verdict == .verified)
    #expect(over.findings("qpress.chunk_size_unusual").map(\.offset) == [8])
  }

  @Test func leadingTextWindow() {
    var s = StreamBuilder()
    s.file("a", Array("data".utf8))
    let text = [UInt8](repeating: UInt8(ascii: "x"), count: VerifyLimits.maxLeadingText - 8)
    // The magic's last byte at the window's last byte: found; one byte further: not.
    let at = Run.verify(text + s.bytes, name: "x.xb")
    #expect(at.findings("xbstream.bad_magic").map(\.offset) == [0])
    #expect(at.digests.map(\.member) == ["a"])
    let over = Run.verify([0x78] + text + s.bytes, name: "x.xb")
    #expect(over.findings("xbstream.bad_magic").isEmpty)
    #expect(over.findings("input.unknown_format").count == 1)
  }

  /// The message of the error `body` throws.
  static func message(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
  }

  @Test func keyFileLength() throws {
    let dir = try AuditFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let at = dir.appendingPathComponent("at.key"), over = dir.appendingPathComponent("over.key")
    try Data(repeating: 0x61, count: KeyLoader.maxKeyFileLength).write(to: at)
    try Data(repeating: 0x61, count: KeyLoader.maxKeyFileLength + 1).write(to: over)
    #expect(Self.message { _ = try KeyLoader.fromFile(at.path) } == "key from --key-file \(at.path) is 4096 bytes: an AES key must be 16, 24 or 32 bytes")
    #expect(Self.message { _ = try KeyLoader.fromFile(over.path) } == "key file \(over.path) is larger than 4096 bytes: not a key (keys are 16, 24 or 32 bytes)")
    // A device that never ends is refused after the bound, as a policy's keyFiles entry too.
    #expect(Self.message { _ = try KeyLoader.fromFile("/dev/zero") } == "key file /dev/zero is larger than 4096 bytes: not a key (keys are 16, 24 or 32 bytes)")
    #expect(throws: AuditPolicy.PolicyError("policy file: KMS plaintext file /dev/zero is larger than 4096 bytes: not a key (keys are 16, 24 or 32 bytes)")) {
      try AuditPolicy.parseFile(Array(#"{"kmsPlaintextFiles": ["/dev/zero"]}"#.utf8), baseDirectory: "/")
    }
  }

  @Test func boundedFileRead() throws {
    let dir = try AuditFixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let f = dir.appendingPathComponent("f")
    try Data([1, 2, 3]).write(to: f)
    #expect(BoundedFile.read(f.path, limit: 3) == .success([1, 2, 3]))
    #expect(BoundedFile.read(f.path, limit: 2) == .failure(.tooLarge(limit: 2)))
    #expect(BoundedFile.read(dir.path, limit: 2) == .failure(.unreadable("Is a directory")))
  }
}
