import Foundation
import Formats
import Inspect
import Report

/// The bodies of the fuzz targets, one per entry point. Each must return normally on any input:
/// a trap, an unbounded allocation or a hang is a bug, and so is a broken invariant the entry
/// checks (piece-size independence of a push parser, a well-formed report). `swift test` replays
/// `fuzz/regressions/<name>/` through these same functions; `fuzz/run` builds them under libFuzzer
/// with AddressSanitizer.
///
/// Format entries (FuzzEntries+Formats.swift) run the pure parser of one format and then the
/// whole engine on the same bytes with that format's magic forced in front, so the fuzzer spends
/// its mutations past the sniffer. Audit entries are in FuzzEntries+Audit.swift.
public enum FuzzEntries {
  /// Entry points by target name (the folder names under fuzz/regressions, the names `fuzz/run` takes).
  public static let all: [String: @Sendable (UnsafeRawBufferPointer) -> Void] = [
    "xbstream": xbstream,
    "xbcrypt": xbcrypt,
    "xbcrypt-keyed": xbcryptKeyed,
    "qpress": qpress,
    "quicklz": quicklz,
    "gzip": gzip,
    "tar": tar,
    "zstd": zstd,
    "lz4": lz4,
    "verify": verify,
    "verify-keyed": verifyKeyed,
    "catalog": catalog,
    "policy": policy,
    "reports": reports,
    "audit-reports": auditReports,
  ]

  /// Fuzz inputs are capped so that one run stays fast; real bugs reproduce far below this.
  public static let maxInput = 1 << 20
  /// Text inputs (JSON readers, report writers) are capped lower: their cost grows with size only.
  public static let maxTextInput = 1 << 16
  /// Decompressed bytes one engine run may produce per member (bounds decompression bombs).
  public static let maxMemberSize: UInt64 = 64 << 20

  /// The keys of the real corpus (expected.tsv), so seeds decrypt and their inner layers are fuzzed.
  public static let corpusKeys: [KeyMaterial] = [
    "0123456789ABCDEF0123456789abcdef", "0123456789abcdef", "percona_xtrabackup_is_awesome___",
    "c38b7b04a8cffe2502b45fa14343c04e",
  ].map { KeyMaterial(bytes: Array($0.utf8), source: "fuzz") }

  /// The whole engine on arbitrary bytes: sniffing, every layer, every content check.
  public static func verify(_ data: UnsafeRawBufferPointer) { engine(Array(data), name: "fuzz.xb", keys: []) }

  /// The engine with the corpus keys, so that xbcrypt layers decrypt and feed their inner layers.
  public static func verifyKeyed(_ data: UnsafeRawBufferPointer) {
    engine(Array(data), name: "fuzz.xb", keys: corpusKeys)
  }

  /// Runs the engine on `bytes` (at most ``maxInput``); the report must be consistent.
  static func engine(_ bytes: [UInt8], name: String, keys: [KeyMaterial], step: Int = .max) {
    guard bytes.count <= maxInput else { return }
    var options = VerifyOptions()
    // One thread: libFuzzer needs each input's coverage to be the same on every run, and five helper
    // threads started per input (8 MiB stacks under ASan) cost more than most inputs. The parallel
    // path runs the same layers; ParallelReadTests holds it to the single-thread report.
    options.parallel = false
    options.keys = keys
    options.maxMemberSize = maxMemberSize
    var source = MemorySource(bytes, step: step)
    let report = Verifier.verify(source: &source, name: name, path: name, options: options)
    guard report.size == UInt64(bytes.count) else { fatalError("report size \(report.size) for \(bytes.count) input bytes") }
    _ = report.verdict
  }

  /// `bytes` with `magic` in front unless they already start with it.
  static func forcing(_ magic: [UInt8], _ data: UnsafeRawBufferPointer) -> [UInt8] {
    data.starts(with: magic) ? Array(data) : magic + Array(data)
  }

  /// Where to split an input in two: chosen by its first byte, so the fuzzer explores splits.
  static func cut(_ data: UnsafeRawBufferPointer) -> Int { data.isEmpty ? 0 : Int(data[0]) % (data.count + 1) }

  /// Replays files (or every file in folders) through `entry`; returns how many were run.
  @discardableResult
  public static func replay(_ paths: [String], _ entry: (UnsafeRawBufferPointer) -> Void) -> Int {
    var count = 0
    for path in paths {
      var isDir: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { continue }
      let files = isDir.boolValue
        ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
          .map { "\(path)/\($0)" }
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
