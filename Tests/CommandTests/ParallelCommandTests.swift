import Foundation
import Testing
@testable import xbinspect
import TestSupport

/// `--single-thread` and `--progress` on the command line: same summary and exit code; a short run
/// prints no progress line (it appears after ``ProgressLine/delay`` seconds only).
@Suite struct ParallelCommandTests {
  func run(_ args: [String]) -> (Int32, Console) {
    let console = Console(capture: true)
    return (Command.run(args, console: console, environment: [:], stdinFD: 0), console)
  }

  @Test(arguments: ["bad_xbs_payload_bitflip.xb", "mb1011_tiny_full_compress_qp.xb", "bad_qp_bitflip.qp"])
  func singleThreadGivesTheSameSummary(_ file: String) {
    let path = Corpus.realFile(file).path
    let (rc1, parallel) = run(["verify", path])
    let (rc2, serial) = run(["verify", "--single-thread", path])
    #expect(rc1 == rc2)
    #expect(parallel.stdoutText == serial.stdoutText)
  }

  @Test func progressIsAcceptedAndQuietOnShortRuns() {
    let (rc, c) = run(["verify", "--progress", "--no-digests", Corpus.realFile("xbs_pxb24_create_4files.xb").path])
    #expect(rc == 0)
    #expect(c.stderrText.isEmpty)
    #expect(ProgressLine.wanted(forced: true, quiet: true))
  }
}
