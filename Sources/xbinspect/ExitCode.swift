/// The exit codes of every command (DEVELOPERS.md); when several apply, the first of 1, 4, 3 wins.
enum ExitCode {
  /// Verified; warnings allowed.
  static let verified: Int32 = 0
  /// Integrity errors found.
  static let integrity: Int32 = 1
  /// Bad arguments; nothing was read.
  static let usage: Int32 = 2
  /// Something could not be evaluated (unreadable input, I/O error, no key when one was required).
  static let couldNotEvaluate: Int32 = 3
  /// Policy non-compliant (audit).
  static let nonCompliant: Int32 = 4

  static let table = """
    Exit codes (the first that applies wins):
      2  usage error: bad arguments, nothing was read
      1  integrity errors found
      4  policy non-compliant (audit)
      3  could not evaluate something: unreadable input, I/O error, unsupported wrapper,
         no key for an encrypted layer when one was required
      0  verified (warnings allowed)
    """
}
