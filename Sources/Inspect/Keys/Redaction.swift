import Foundation

/// Keeps what might be a key out of messages and reports: a word given where a file or variable
/// name was expected, that names no file and has a key's length, is shown by its length only.
public enum Redaction {
  /// Key lengths (16/24/32 bytes) and the 44 characters of base64 of 32 bytes.
  public static let keyLengths: Set<Int> = [16, 24, 32, 44]

  public static func mayBeKey(_ word: String) -> Bool {
    keyLengths.contains(word.utf8.count) && !word.contains("/") && !word.contains(".")
      && !FileManager.default.fileExists(atPath: word)
  }

  /// `word`, or a placeholder when it may be a key.
  public static func shown(_ word: String) -> String {
    mayBeKey(word) ? "<\(word.utf8.count) characters withheld: not a file; a key given in place of a name?>" : word
  }
}
