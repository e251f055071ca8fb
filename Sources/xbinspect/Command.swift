#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Formats
import Inspect
import Report

/// The `xbinspect` command line: parses arguments, opens files, runs the engine, writes reports,
/// returns the exit code. Everything else lives in the libraries.
enum Command {
  static let usage = """
    xbinspect \(ToolInfo.version): verify MySQL physical backups (xbstream, xbcrypt, qpress, gzip, zstd, lz4, tar)

    Usage:
      xbinspect verify [options] PATH... | -     verify backups (a file, or - for standard input)
      xbinspect key derive < kms-plaintext       print the RDS key text for a KMS Plaintext (base64)
      xbinspect audit [DIR] --encryption-enabled-at T [options]
                                                 audit backup encryption (docs/audit.md); also
                                                 --catalog F, --describe-backups F --backup-dir D|--backup-map F,
                                                 --policy F, repeated --key-file/--kms-plaintext-file,
                                                 --tolerance 24h, --embedded-time-zone Z, --sign-key PEM
      xbinspect evidence verify --json F --sig F.sig --pubkey PUB.pem
                                                 check the Ed25519 signature of audit evidence
      xbinspect report merge [--json OUT] [--junit OUT] REPORT.json...
                                                 merge audit reports of separate runs
      xbinspect --help | --version

    verify options (before or after the path):
      --json FILE            write the JSON report (- = stdout; the summary then goes to stderr)
      --junit FILE           write the JUnit XML report (- = stdout; not both on stdout)
      --key-file FILE        xbcrypt key: the file's exact bytes (like --encrypt-key-file)
      --key-env [VAR]        xbcrypt key from an environment variable (default XBCRYPT_ENCRYPTION_KEY)
      --kms-plaintext-file FILE
                             xbcrypt key from an RDS KMS Plaintext (base64; hex-encoded as RDS does)
      --cipher AES128|AES192|AES256
                             assert the AES variant; a key of another length is a finding
      --require-key          an encrypted layer without a key is "could not evaluate" (exit 3)
      --dialect auto|percona|mariadb
                             how to read xbstream 'S' chunks (default auto: from the stream itself)
      --no-digests           skip SHA-256 of the input and members (every checksum still runs)
      --max-member-size N    stop decompressing a member past N bytes (default 1 TiB)
      --quiet                print only the verdict line
      --progress             show progress on stderr even when it is not a terminal
      --single-thread        read, check and hash on one thread (for comparison; same report)

    \(ExitCode.table)
    """

  static func run(_ args: [String], console: Console, environment: [String: String] = ProcessInfo.processInfo.environment,
                  stdinFD: Int32 = 0) -> Int32 {
    guard let verb = args.first else {
      console.err(usage)
      return ExitCode.usage
    }
    // `xbinspect verify --help` and the like: the help, whatever else the line holds (before `--`).
    let beforeOperands = args.prefix { $0 != "--" }
    if beforeOperands.contains("--help") || beforeOperands.contains("-h") {
      console.out(usage); return ExitCode.verified
    }
    do {
      switch verb {
      case "--help", "-h", "help":
        console.out(usage); return ExitCode.verified
      case "--version":
        console.out("\(ToolInfo.name) \(ToolInfo.version)"); return ExitCode.verified
      case "verify":
        return try VerifyCommand.run(Array(args.dropFirst()), console: console, environment: environment, stdinFD: stdinFD)
      case "audit":
        return try AuditCommand.run(Array(args.dropFirst()), console: console, environment: environment)
      case "evidence":
        return try EvidenceCommand.run(Array(args.dropFirst()), console: console)
      case "report":
        return try ReportMergeCommand.run(Array(args.dropFirst()), console: console)
      case "key":
        return try KeyCommand.run(Array(args.dropFirst()), console: console, stdinFD: stdinFD)
      default:
        throw UsageError("unknown command \(verb)")
      }
    } catch let error as UsageError {
      console.err("xbinspect: \(error.description)")
      console.err("Try 'xbinspect --help'.")
      return ExitCode.usage
    } catch {
      console.err("xbinspect: \(error)")
      console.err("Try 'xbinspect --help'.")
      return ExitCode.usage
    }
  }
}

/// `xbinspect key derive`: reads a KMS `Plaintext` (base64) on stdin and prints the key text RDS
/// uses (lowercase hex). The one place where key material is printed, because it is asked for.
enum KeyCommand {
  static func run(_ args: [String], console: Console, stdinFD: Int32) throws(UsageError) -> Int32 {
    guard args == ["derive"] else { throw UsageError("usage: xbinspect key derive < kms-plaintext.txt") }
    var input: [UInt8] = []
    var source = FileDescriptorSource(fd: stdinFD)
    var buffer = [UInt8](repeating: 0, count: 4096)
    while input.count < 1 << 16 {
      let r = buffer.withUnsafeMutableBytes { p in Result { () throws(IOError) -> Int in try source.read(into: p) } }
      guard case .success(let n) = r else { console.err("xbinspect: cannot read standard input"); return ExitCode.couldNotEvaluate }
      if n == 0 { break }
      input += buffer[..<n]
    }
    do {
      console.out(try KeyLoader.derivePassword(fromKMSPlaintext: String(decoding: input, as: UTF8.self)))
      return ExitCode.verified
    } catch {
      throw UsageError(error.description)
    }
  }
}
