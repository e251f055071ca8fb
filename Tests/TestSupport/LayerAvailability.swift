import Inspect

/// Which layers are implemented in this build, for tests that need a layer another branch brings.
public enum LayerAvailability {
  /// True once the xbcrypt layer decrypts (the stub reports `layer.not_verified` instead).
  public static let xbcrypt: Bool = {
    guard let r = try? Run.verifyReal("xbc3_aes128_backup-my.cnf.xbcrypt") else { return false }
    return !r.codes.contains("layer.not_verified")
  }()
}
