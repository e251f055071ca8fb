import Foundation
import Formats

/// Turns the key options into ``KeyMaterial``, with a precise message for each common mistake, before
/// any input is read. Messages name the source and the length, never the key.
public enum KeyLoader {
  public struct KeyError: Error, Equatable, CustomStringConvertible {
    public var description: String
  }

  /// Largest key or KMS plaintext file read: keys are 16–32 bytes, so anything this long names the
  /// wrong file (`/dev/zero`, a backup), and is refused without reading it all.
  public static let maxKeyFileLength = 4096

  /// `--key-file F`: the file's exact bytes, as `--encrypt-key-file` uses them.
  public static func fromFile(_ path: String) throws(KeyError) -> KeyMaterial {
    try validated(try readKeyFile(path, what: "key file"), source: "--key-file \(path)")
  }

  static func readKeyFile(_ path: String, what: String) throws(KeyError) -> [UInt8] {
    switch BoundedFile.read(path, limit: maxKeyFileLength) {
    case .success(let bytes): return bytes
    case .failure(.unreadable):
      throw KeyError(description: "cannot read \(what) \(Redaction.shown(path)): \(Self.unreadableReason(path))")
    case .failure(.tooLarge(let limit)):
      throw KeyError(description: "\(what) \(Redaction.shown(path)) is larger than \(limit) bytes: not a key (keys are 16, 24 or 32 bytes)")
    }
  }

  /// `--key-env VAR`: the variable's bytes (xbcrypt reads `XBCRYPT_ENCRYPTION_KEY` the same way).
  public static func fromEnvironment(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(KeyError) -> KeyMaterial {
    guard let value = environment[name] else {
      throw KeyError(description: "environment variable \(Redaction.shown(name)) is not set (--key-env takes the variable's name, not the key)")
    }
    return try validated(Array(value.utf8), source: "--key-env \(name)")
  }

  /// `--kms-plaintext-file F`: the base64 `Plaintext` of a KMS Decrypt call (RDS manual decryption,
  /// step 2): base64-decoded, hex-encoded in lowercase; those ASCII characters are the key.
  public static func fromKMSPlaintextFile(_ path: String) throws(KeyError) -> KeyMaterial {
    let text = String(decoding: try readKeyFile(path, what: "KMS plaintext file"), as: UTF8.self)
    return try validated(Array(try derivePassword(fromKMSPlaintext: text, source: path).utf8),
                         source: "--kms-plaintext-file \(path)")
  }

  static func unreadableReason(_ path: String) -> String {
    var isDirectory: ObjCBool = false
    if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
    return isDirectory.boolValue ? "it is a directory" : "permission denied or unreadable"
  }

  /// The RDS key text for a KMS `Plaintext`: lowercase hex of its base64-decoded bytes.
  /// Surrounding white space (a trailing newline) is not part of the value.
  public static func derivePassword(fromKMSPlaintext text: String, source: String = "standard input") throws(KeyError) -> String {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else { throw KeyError(description: "KMS plaintext from \(source) is empty") }
    if AESVariant(keyLength: trimmed.utf8.count) != nil, trimmed.allSatisfy(\.isHexDigit) {
      throw KeyError(description: "KMS plaintext from \(source) is \(trimmed.utf8.count) hexadecimal characters: that looks like the derived key text already; give it with --key-file (no newline), or give the base64 Plaintext here")
    }
    guard let decoded = Data(base64Encoded: trimmed) else {
      throw KeyError(description: "KMS plaintext from \(source) is not valid base64 (\(trimmed.count) characters)")
    }
    let hex = Array(decoded).hexString
    guard AESVariant(keyLength: hex.utf8.count) != nil else {
      throw KeyError(description: "KMS plaintext from \(source) decodes to \(decoded.count) bytes; its hex text (\(hex.utf8.count) characters) is not a 16, 24 or 32-byte key")
    }
    return hex
  }

  /// Checks a key's length: 16, 24 or 32 bytes select AES-128/192/256.
  public static func validated(_ bytes: [UInt8], source: String) throws(KeyError) -> KeyMaterial {
    let n = bytes.count
    if AESVariant(keyLength: n) != nil { return KeyMaterial(bytes: bytes, source: source) }
    if n == 0 { throw KeyError(description: "key from \(source) is empty (0 bytes)") }
    if bytes.last == 0x0A {
      let crlf = n >= 2 && bytes[n - 2] == 0x0D
      let core = n - (crlf ? 2 : 1)
      let hint = AESVariant(keyLength: core).map { " (without it, \(core) bytes: \($0.rawValue))" } ?? ""
      throw KeyError(description: "key from \(source) is \(n) bytes and ends in \(crlf ? "CR LF" : "LF"): the line ending is part of the key, as xtrabackup reads key files byte for byte; remove it\(hint), e.g. tr -d '\\r\\n' < FILE > FILE.key")
    }
    if n == 44, let decoded = Data(base64Encoded: Data(bytes)), decoded.count == 32 {
      throw KeyError(description: "key from \(source) is 44 characters of base64 (32 bytes once decoded): xtrabackup uses key text as raw bytes, never base64-decoded; give the 32 bytes it was made with")
    }
    throw KeyError(description: "key from \(source) is \(n) bytes: an AES key must be 16, 24 or 32 bytes")
  }
}
