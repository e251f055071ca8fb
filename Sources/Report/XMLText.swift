/// Text made safe for XML 1.0: characters outside the `Char` production (C0 controls other than
/// tab, LF, CR; surrogates; U+FFFE/U+FFFF) are replaced by U+FFFD, never emitted.
public enum XMLText {
  public static func sanitize(_ s: String) -> String {
    if s.unicodeScalars.allSatisfy(isLegal) { return s }
    var out = String.UnicodeScalarView()
    for u in s.unicodeScalars { out.append(isLegal(u) ? u : "\u{FFFD}") }
    return String(out)
  }

  static func isLegal(_ u: Unicode.Scalar) -> Bool {
    switch u.value {
    case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
    default: false
    }
  }
}
