/// A bad command line: printed with the usage hint, exit 2, before any input is read.
struct UsageError: Error, CustomStringConvertible {
  var description: String
  init(_ message: String) { description = message }
}

extension UsageError {
  /// Runs `body`; a usage error passes through, any other error (a key, catalog or file problem
  /// found before reading the input) becomes a usage error with its description.
  static func converting<T>(_ body: () throws -> T) throws(UsageError) -> T {
    do { return try body() } catch let e as UsageError { throw e } catch { throw UsageError("\(error)") }
  }
}

/// A small hand-written argument scanner: options may come before or after operands,
/// `--opt value` and `--opt=value` both work, `--` ends options, `-` alone is an operand (stdin).
struct Arguments {
  private var items: [String]
  private(set) var operands: [String] = []

  /// Splits `args` into options (checked against `flags` and `valued`) and operands.
  init(_ args: [String], flags: Set<String>, valued: Set<String>, optionalValue: Set<String> = []) throws(UsageError) {
    var options: [String] = []
    var i = 0
    var onlyOperands = false
    while i < args.count {
      let a = args[i]
      i += 1
      if onlyOperands || a == "-" || !a.hasPrefix("-") { operands.append(a); continue }
      if a == "--" { onlyOperands = true; continue }
      var name = a, inline: String?
      if let eq = a.firstIndex(of: "="), a.hasPrefix("--") { name = String(a[..<eq]); inline = String(a[a.index(after: eq)...]) }
      if flags.contains(name) {
        guard inline == nil else { throw UsageError("option \(name) takes no value") }
        options.append(name)
      } else if valued.contains(name) {
        if let inline { options += [name, inline]; continue }
        guard i < args.count else { throw UsageError("option \(name) needs a value") }
        options += [name, args[i]]
        i += 1
      } else if optionalValue.contains(name) {
        // `--opt VALUE` when the next word looks like a value for it (an environment variable name),
        // `--opt` alone otherwise: `--key-env MYKEY backup.xb` and `--key-env backup.xb` both work.
        if let inline { options += [name, inline]; continue }
        if i < args.count, Self.looksLikeVariableName(args[i]) {
          options += [name, args[i]]; i += 1
        } else {
          options += [name, ""]
        }
      } else {
        // Only the option's name: a value after `=` may be a secret (`--encrypt-key=…`).
        throw UsageError("unknown option \(name)\(inline == nil ? "" : "=…")")
      }
    }
    items = options
  }

  static func looksLikeVariableName(_ s: String) -> Bool {
    guard let f = s.unicodeScalars.first, f == "_" || ("A"..."Z").contains(f) || ("a"..."z").contains(f) else { return false }
    return s.unicodeScalars.allSatisfy { $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
  }

  func has(_ flag: String) -> Bool { items.contains(flag) }

  /// Every value given to `option`, in order.
  func values(_ option: String) -> [String] {
    var out: [String] = []
    var i = 0
    while i < items.count {
      if items[i] == option, i + 1 < items.count { out.append(items[i + 1]); i += 2 } else { i += 1 }
    }
    return out
  }

  /// The single value of `option`; giving it twice is a usage error.
  func value(_ option: String) throws(UsageError) -> String? {
    let v = values(option)
    guard v.count <= 1 else { throw UsageError("option \(option) given more than once") }
    return v.first
  }
}
