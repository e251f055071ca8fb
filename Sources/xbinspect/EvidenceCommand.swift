import Foundation
import Formats

/// `xbinspect evidence verify --json F --sig S --pubkey PEM`: checks a detached Ed25519 signature
/// of an evidence file. Exit 0 when it verifies, 1 when it does not, 3 when a file is unreadable.
enum EvidenceCommand {
  static func run(_ args: [String], console: Console) throws(UsageError) -> Int32 {
    guard args.first == "verify" else { throw UsageError("usage: xbinspect evidence verify --json FILE --sig FILE.sig --pubkey PUB.pem") }
    let a = try Arguments(Array(args.dropFirst()), flags: [], valued: ["--json", "--sig", "--pubkey"])
    guard a.operands.isEmpty else { throw UsageError("evidence verify takes no operands: use --json, --sig, --pubkey") }
    guard let json = try a.value("--json"), let pub = try a.value("--pubkey") else {
      throw UsageError("evidence verify needs --json FILE and --pubkey PUB.pem (and --sig, default FILE.sig)")
    }
    let sig = try a.value("--sig") ?? json + ".sig"
    let verifier: Ed25519Signer
    do { verifier = try Ed25519Signer(publicKeyPEM: try AuditCommand.read(pub, what: "public key")) } catch let e as SignatureError {
      throw UsageError("--pubkey \(pub): \(e.description)")
    } catch let e as UsageError { throw e } catch { throw UsageError("\(error)") }
    guard let message = FileManager.default.contents(atPath: json), let signature = FileManager.default.contents(atPath: sig) else {
      console.err("xbinspect: cannot read \(FileManager.default.isReadableFile(atPath: json) ? sig : json)")
      return ExitCode.couldNotEvaluate
    }
    if signature.count != Ed25519Signer.signatureLength {
      console.out("signature INVALID: \(sig) is \(signature.count) bytes, an Ed25519 signature is \(Ed25519Signer.signatureLength)")
      return ExitCode.integrity
    }
    if verifier.verify(Array(message), signature: Array(signature)) {
      console.out("signature OK: \(json) is signed by the key \(verifier.publicKeyFingerprint)")
      return ExitCode.verified
    }
    console.out("signature INVALID: \(json) was changed after signing, or was signed by another key than \(verifier.publicKeyFingerprint)")
    return ExitCode.integrity
  }
}
