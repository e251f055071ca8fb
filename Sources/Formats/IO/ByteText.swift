/// Turning untrusted bytes (paths, magics) into text that is safe to print or put in a report.
public enum ByteText {
  /// The bytes as a double-quoted string: printable ASCII as is, `"` and `\` escaped, everything
  /// else (controls, NUL, bytes ≥ 0x80) as `\xNN`.
  public static func preview(_ bytes: [UInt8]) -> String {
    var s = "\""
    for b in bytes {
      switch b {
      case UInt8(ascii: "\""): s += "\\\""
      case UInt8(ascii: "\\"): s += "\\\\"
      case 0x20..<0x7F: s.unicodeScalars.append(Unicode.Scalar(b))
      default: s += "\\x" + hex2(b)
      }
    }
    return s + "\""
  }

  /// A path for display and reports: valid UTF-8 is kept (so names in any script read naturally),
  /// but control characters, DEL and invalid sequences become `\xNN` and a backslash becomes `\\`,
  /// so the result never carries a byte a terminal or an XML parser would act on.
  public static func displayPath(_ bytes: [UInt8]) -> String {
    var out = ""
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      if b < 0x20 || b == 0x7F { out += "\\x" + hex2(b); i += 1; continue }
      if b == UInt8(ascii: "\\") { out += "\\\\"; i += 1; continue }
      if b < 0x80 { out.unicodeScalars.append(Unicode.Scalar(b)); i += 1; continue }
      // Decode one UTF-8 scalar strictly; anything else is escaped byte by byte.
      let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0
      if length > 0, i + length <= bytes.count,
         let scalar = String(validating: bytes[i..<(i + length)], as: UTF8.self)?.unicodeScalars.first,
         scalar.value >= 0xA0 || scalar.value > 0x9F {
        if (0x80...0x9F).contains(scalar.value) || (0xFFFE...0xFFFF).contains(scalar.value) {
          for k in 0..<length { out += "\\x" + hex2(bytes[i + k]) }
        } else {
          out.unicodeScalars.append(scalar)
        }
        i += length
      } else {
        out += "\\x" + hex2(b); i += 1
      }
    }
    return out
  }

  /// A type byte for messages: `'P'` or `0x07`.
  public static func character(_ b: UInt8) -> String {
    (0x21..<0x7F).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : "0x" + hex2(b)
  }

  /// Whether the bytes look like text a program printed (log lines): printable ASCII, tab, CR, LF.
  public static func looksLikeText(_ bytes: [UInt8]) -> Bool {
    !bytes.isEmpty && bytes.allSatisfy { (0x20..<0x7F).contains($0) || $0 == 9 || $0 == 10 || $0 == 13 }
  }

  static func hex2(_ b: UInt8) -> String {
    let d = Array("0123456789abcdef".unicodeScalars)
    return String(d[Int(b >> 4)]) + String(d[Int(b & 15)])
  }
}
