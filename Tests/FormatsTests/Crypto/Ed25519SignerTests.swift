import Foundation
import Testing
import Formats

/// Ed25519 through OpenSSL EVP: RFC 8032 test vector, sign/verify round trip, rejected keys.
@Suite struct Ed25519SignerTests {
  static func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = hex.makeIterator()
    while let a = it.next(), let b = it.next() { out.append(UInt8(String([a, b]), radix: 16)!) }
    return out
  }

  static func pem(_ label: String, _ der: [UInt8]) -> [UInt8] {
    Array("-----BEGIN \(label)-----\n\(Data(der).base64EncodedString())\n-----END \(label)-----\n".utf8)
  }

  // RFC 8032 §7.1, TEST 1 (empty message).
  static let secret = bytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
  static let publicKey = bytes("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
  static let signature1 = bytes("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
  /// PKCS #8 and SubjectPublicKeyInfo DER prefixes for Ed25519 (OID 1.3.101.112), RFC 8410.
  static let privatePEM = pem("PRIVATE KEY", bytes("302e020100300506032b657004220420") + secret)
  static let publicPEM = pem("PUBLIC KEY", bytes("302a300506032b6570032100") + publicKey)

  @Test func rfc8032TestVector1() throws {
    let signer = try Ed25519Signer(privateKeyPEM: Self.privatePEM)
    #expect(try signer.sign([]) == Self.signature1)
    let verifier = try Ed25519Signer(publicKeyPEM: Self.publicPEM)
    #expect(verifier.verify([], signature: Self.signature1))
    #expect(verifier.publicKeyFingerprint == signer.publicKeyFingerprint)
    #expect(verifier.publicKeyFingerprint == "sha256:" + SHA256.hash(Self.bytes("302a300506032b6570032100") + Self.publicKey).hexString)
  }

  @Test func aFlippedByteOrSignatureBitFailsVerification() throws {
    let signer = try Ed25519Signer(privateKeyPEM: Self.privatePEM)
    let message = Array("{\"schema\":\"xbinspect.audit/1\"}\n".utf8)
    let sig = try signer.sign(message)
    #expect(sig.count == 64)
    let verifier = try Ed25519Signer(publicKeyPEM: Self.publicPEM)
    #expect(verifier.verify(message, signature: sig))
    var changed = message; changed[5] ^= 0x01
    #expect(!verifier.verify(changed, signature: sig))
    var badSig = sig; badSig[63] ^= 0x80
    #expect(!verifier.verify(message, signature: badSig))
    #expect(!verifier.verify(message, signature: Array(sig.prefix(63))))
  }

  @Test func publicKeyCannotSign() throws {
    let verifier = try Ed25519Signer(publicKeyPEM: Self.publicPEM)
    #expect(throws: SignatureError("a public key cannot sign")) { try verifier.sign([1, 2, 3]) }
  }

  @Test func nonEd25519AndGarbageKeysAreRejected() throws {
    #expect(throws: SignatureError.self) { try Ed25519Signer(privateKeyPEM: Array("not a key".utf8)) }
    #expect(throws: SignatureError("key PEM is 0 bytes; expected 1 to 16384")) { try Ed25519Signer(privateKeyPEM: []) }
    // An X25519 key (OID 1.3.101.110) is a valid PKCS #8 key of the wrong type.
    let x25519 = Self.pem("PRIVATE KEY", Self.bytes("302e020100300506032b656e04220420") + Self.secret)
    #expect(throws: SignatureError("the key is not an Ed25519 key (make one with: openssl genpkey -algorithm ed25519)")) {
      try Ed25519Signer(privateKeyPEM: x25519)
    }
  }
}
