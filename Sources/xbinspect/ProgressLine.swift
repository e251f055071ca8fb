#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Inspect

/// Progress of a long verification on stderr: bytes read, rate, the member being read.
///
/// Silent for the first ``delay`` seconds (short runs print nothing), then at most every
/// ``interval`` seconds. On a terminal one line is redrawn in place and erased at the end; elsewhere
/// (`--progress` into a log) each update is a line of its own.
final class ProgressLine {
  static let delay = 2.0
  static let interval = 0.5
  static let logInterval = 5.0

  private let console: Console
  private let name: String
  private let total: UInt64?
  private let inPlace: Bool
  private let started = ProgressLine.now()
  private var lastShown = 0.0
  private var shown = false

  init(console: Console, name: String, total: UInt64?, inPlace: Bool) {
    self.console = console
    self.name = name
    self.total = total
    self.inPlace = inPlace
  }

  /// Whether progress is shown: `--progress` always, `--quiet` never, otherwise when stderr is a terminal.
  static func wanted(forced: Bool, quiet: Bool) -> Bool { forced || (!quiet && isatty(2) == 1) }

  func update(_ p: VerifyProgress) {
    let t = Self.now() - started
    guard t >= Self.delay, t - lastShown >= (inPlace ? Self.interval : Self.logInterval) else { return }
    lastShown = t
    shown = true
    var line = "\(name): \(Self.bytes(p.bytesRead))"
    if let total, total > 0 { line += " of \(Self.bytes(total)) (\(p.bytesRead * 100 / total)%)" }
    line += ", \(Self.bytes(UInt64(Double(p.bytesRead) / t)))/s"
    if let m = p.member { line += ", \(m)" }
    if inPlace { console.errRaw("\r\u{1B}[K" + String(line.prefix(200))) } else { console.err(line) }
  }

  /// Erases the in-place line before the summary is printed.
  func end() { if shown && inPlace { console.errRaw("\r\u{1B}[K") } }

  private static func bytes(_ n: UInt64) -> String {
    let v = Double(n)
    if v >= 1e9 { return String(format: "%.2f GB", v / 1e9) }
    if v >= 1e6 { return String(format: "%.1f MB", v / 1e6) }
    return "\(n) B"
  }

  private static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}
