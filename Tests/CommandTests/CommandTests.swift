import Foundation
import Testing
@testable import xbinspect
import TestSupport

/// The command line in-process: exit codes, usage errors before any read, reports, stdin.
@Suite struct CommandTests {
  func run(_ args: [String], stdin: [UInt8]? = nil, env: [String: String] = [:]) -> (Int32, Console) {
    let console = Console(capture: true)
    var fd: Int32 = 0
    var pipeFDs: [Int32] = [0, 0]
    if let stdin {
      pipe(&pipeFDs)
      let writeEnd = pipeFDs[1]
      DispatchQueue.global().async {
        _ = stdin.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
        close(writeEnd)
      }
      fd = pipeFDs[0]
    }
    let rc = Command.run(args, console: console, environment: env, stdinFD: fd)
    if stdin != nil { close(pipeFDs[0]) }
    return (rc, console)
  }

  var real: String { Corpus.real.path }
  func tmp(_ name: String) -> String { NSTemporaryDirectory() + "xbinspect-test-\(UUID().uuidString)-\(name)" }

  @Test func verifiedSampleExitsZero() {
    let (rc, c) = run(["verify", "\(real)/xbs_pxb24_create_4files.xb"])
    #expect(rc == 0)
    #expect(c.stdoutText.contains("4 members"))
    #expect(c.stdoutText.contains("verdict: VERIFIED (exit 0)"))
  }

  @Test func corruptSampleExitsOneAndNamesTheFinding() {
    let (rc, c) = run(["verify", "\(real)/bad_xbs_payload_bitflip.xb"])
    #expect(rc == 1)
    #expect(c.stdoutText.contains("error xbstream.crc_mismatch at 378 [sub/orders.ibd]"))
  }

  @Test func optionsMayFollowThePath() {
    let json = tmp("r.json")
    let (rc, _) = run(["verify", "\(real)/xbs_pxb24_create_4files.xb", "--json", json, "--no-digests"])
    #expect(rc == 0)
    let text = (try? String(contentsOfFile: json, encoding: .utf8)) ?? ""
    #expect(text.contains("\"digests\" : false"))
    #expect(!text.contains("\"sha256\""))
  }

  @Test(arguments: [
    ["verify"],
    ["verify", "x.xb", "--no-such-option"],
    ["verify", "x.xb", "--json", "-", "--junit", "-"],
    ["verify", "x.xb", "--dialect", "oracle"],
    ["verify", "x.xb", "--cipher", "DES"],
    ["frobnicate"],
  ])
  func usageErrorsExitTwoBeforeReading(_ args: [String]) {
    let (rc, c) = run(args)
    #expect(rc == 2)
    #expect(c.stderrText.contains("Try 'xbinspect --help'."))
  }

  @Test func keyFileWithNewlineIsAUsageErrorSayingSo() throws {
    let key = tmp("k.key")
    try Data("0123456789abcdef0123456789abcdef\n".utf8).write(to: URL(fileURLWithPath: key))
    let (rc, c) = run(["verify", "\(real)/xbc3_aes128_backup-my.cnf.xbcrypt", "--key-file", key])
    #expect(rc == 2)
    #expect(c.stderrText.contains("is 33 bytes and ends in LF"))
    #expect(!c.stderrText.contains("0123456789abcdef0123456789abcdef"))
  }

  @Test func twoKeySourcesAreAUsageError() {
    let (rc, c) = run(["verify", "x", "--key-file", "a", "--key-env"], env: ["XBCRYPT_ENCRYPTION_KEY": "0123456789abcdef"])
    #expect(rc == 2)
    #expect(c.stderrText.contains("exclude each other"))
  }

  @Test func keyEnvTakesTheVariableNameAsItsValue() {
    let (rc, c) = run(["verify", "--key-env", "MYKEY", "\(real)/xbc3_aes128_backup-my.cnf.xbcrypt"],
                      env: ["MYKEY": "0123456789abcdef"])
    #expect(rc == 0)
    #expect(c.stdoutText.contains("opened 1 member"))
  }

  @Test func aKeyGivenInPlaceOfANameIsNeverEchoed() {
    let key = "0123456789ABCDEF0123456789abcdef"
    for args in [["verify", "\(real)/xbs_pxb24_create_4files.xb", key], ["verify", "x.xb", "--key-file", key],
                 ["verify", "x.xb", "--encrypt-key=\(key)"], ["verify", "x.xb", "--key-env", "A" + key.dropFirst()]] {
      let (_, c) = run(args)
      #expect(!c.stdoutText.contains(key.suffix(31)) && !c.stderrText.contains(key.suffix(31)), "\(args[1...])")
    }
  }

  @Test(arguments: [["verify", "--help"], ["audit", "-h"], ["report", "merge", "--help"]])
  func helpAfterACommandIsHelp(_ args: [String]) {
    let (rc, c) = run(args)
    #expect(rc == 0)
    #expect(c.stdoutText.contains("Exit codes"))
  }

  @Test func missingInputCannotBeEvaluated() {
    let (rc, c) = run(["verify", "/nonexistent/backup.xb"])
    #expect(rc == 3)
    #expect(c.stdoutText.contains("input.unreadable"))
  }

  @Test func directoryInputCannotBeEvaluated() {
    #expect(run(["verify", real]).0 == 3)
  }

  @Test func reportWriteFailureIsNeverVerified() {
    let (rc, c) = run(["verify", "\(real)/xbs_pxb24_create_4files.xb", "--json", "/dev/full"])
    #expect(rc == 3)
    #expect(c.stderrText.contains("/dev/full"))
  }

  @Test func integrityErrorsWinOverReportWriteFailure() {
    #expect(run(["verify", "\(real)/bad_xbs_payload_bitflip.xb", "--json", "/dev/full"]).0 == 1)
  }

  @Test func jsonOnStdoutMovesTheSummaryToStderr() throws {
    let (rc, c) = run(["verify", "--json", "-", "\(real)/xbs_mbstream_create_4files.xb"])
    #expect(rc == 0)
    let doc = try JSONSerialization.jsonObject(with: Data(c.stdoutText.utf8)) as? [String: Any]
    #expect(doc?["schema"] as? String == "xbinspect.verify/1")
    #expect(c.stderrText.contains("verdict: VERIFIED"))
  }

  @Test func stdinGivesTheSameVerdictAsTheFile() throws {
    let bytes = try Corpus.bytes(Corpus.realFile("bad_xbs_truncated_midchunk.xb"))
    let (rc, c) = run(["verify", "-"], stdin: bytes)
    #expect(rc == 1)
    #expect(c.stdoutText.contains("xbstream.truncated at 378"))
  }

  @Test func helpListsTheExitCodes() {
    let (rc, c) = run(["--help"])
    #expect(rc == 0)
    #expect(c.stdoutText.contains("4  policy non-compliant (audit)"))
  }

  @Test func keyDeriveFollowsTheRDSProcedure() {
    // Spec §7.3 example: AAECAwQFBgcICQoLDA0ODw== → 000102030405060708090a0b0c0d0e0f.
    let (rc, c) = run(["key", "derive"], stdin: Array("AAECAwQFBgcICQoLDA0ODw==\n".utf8))
    #expect(rc == 0)
    #expect(c.stdoutText == "000102030405060708090a0b0c0d0e0f\n")
  }
}
