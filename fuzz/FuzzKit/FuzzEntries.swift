import Foundation
import Formats
import Inspect
import Report

/// The bodies of the fuzz targets, one per entry point. Each must return normally on any input:
/// a trap, an unbounded allocation or a hang is a bug. `swift test` replays `fuzz/regressions/<name>/`
/// through these same functions; `fuzz/run` builds them under libFuzzer with AddressSanitizer.
public enum FuzzEntries {
  /// Entry points by target name (the folder names under fuzz/regressions).
  public static let all: [String: @Sendable (UnsafeRawBufferPointer) -> Void] = [
    "xbstream": xbstream,
    "verify": verify,
    "verify-keyed": verifyKeyed,
    "reports": reports,
  ]

  /// Fuzz inputs are capped so that one run stays fast; real bugs reproduce far below this.
  public static let maxInput = 1 << 20

  final class Sink: XbstreamParserDelegate {
    var bytes = 0
    func xbstreamChunk(_ header: XbstreamChunkHeader) { _ = header.logicalExtent }
    func xbstreamPayload(_ b: UnsafeRawBufferPointer) { bytes += b.count }
    func xbstreamChunkEnd(_ header: XbstreamChunkHeader, computedChecksum: UInt32) {}
  }

  /// The xbstream push parser alone, fed in two pieces split at a data-chosen point.
  public static func xbstream(_ data: UnsafeRawBufferPointer) {
    guard data.count <= maxInput else { return }
    for dialect in XbstreamDialect.allCases {
      var p = XbstreamParser(dialect: dialect)
      let sink = Sink()
      let cut = data.isEmpty ? 0 : Int(data[0]) % (data.count + 1)
      do {
        try p.feed(UnsafeRawBufferPointer(rebasing: data[..<cut]), to: sink)
        try p.feed(UnsafeRawBufferPointer(rebasing: data[cut...]), to: sink)
        try p.finish(sink)
      } catch {
        _ = error.description
      }
    }
  }

  /// The whole engine on arbitrary bytes: sniffing, every layer, every content check.
  public static func verify(_ data: UnsafeRawBufferPointer) { run(data, keys: []) }

  /// The engine with a 32-byte key, so that xbcrypt layers decrypt and feed their inner layers.
  public static func verifyKeyed(_ data: UnsafeRawBufferPointer) {
    run(data, keys: [KeyMaterial(bytes: Array("0123456789ABCDEF0123456789abcdef".utf8), source: "fuzz")])
  }

  static func run(_ data: UnsafeRawBufferPointer, keys: [KeyMaterial]) {
    guard data.count <= maxInput else { return }
    var options = VerifyOptions()
    options.keys = keys
    options.maxMemberSize = 64 << 20  // bounds decompression bombs per fuzz run
    var source = MemorySource(Array(data))
    let report = Verifier.verify(source: &source, name: "fuzz.xb", path: "fuzz.xb", options: options)
    _ = report.verdict
  }

  /// The report writers with arbitrary text in every string field: the output must stay well-formed.
  public static func reports(_ data: UnsafeRawBufferPointer) {
    guard data.count <= 1 << 16 else { return }
    let text = String(decoding: data, as: UTF8.self)
    var report = InputReport.unreadable(name: text, path: text, reason: text)
    report.findings.append(Finding(code: "fuzz.text", severity: .error, layer: text, member: text, offset: 1,
                                   message: text, expected: text, found: text))
    report.facts[text] = text
    do {
      let json = try JSONReportWriter.render([report], options: VerifyOptions())
      guard (try? JSONSerialization.jsonObject(with: Data(json))) != nil else { fatalError("JSON report not well-formed") }
      let xml = try JUnitReportWriter.render([report])
      guard XMLWellFormedness.check(xml) else { fatalError("JUnit report not well-formed") }
    } catch {
      fatalError("report writer failed: \(error)")
    }
  }

  /// Replays files (or every file in folders) through `entry`; returns how many were run.
  @discardableResult
  public static func replay(_ paths: [String], _ entry: (UnsafeRawBufferPointer) -> Void) -> Int {
    var count = 0
    for path in paths {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { continue }
      let files = isDir.boolValue
        ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { "\(path)/\($0)" }
        : [path]
      for f in files {
        guard let d = FileManager.default.contents(atPath: f) else { continue }
        d.withUnsafeBytes { entry($0) }
        count += 1
      }
    }
    return count
  }
}
