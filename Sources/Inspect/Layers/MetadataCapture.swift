import Formats

/// Reads the small text files a backup tool writes (`xtrabackup_info`, `xtrabackup_checkpoints`,
/// `mariadb_backup_*`, `backup-my.cnf`; spec §6): keeps their `key = value` pairs as member facts
/// (`meta.start_time`, …) for the audit and the report, and proves them readable text — the proof
/// that a v1/v2 key was right, where the format has no hash.
final class MetadataCapture: ByteConsumer {
  /// Bytes of a metadata file kept for parsing; real ones are under 4 KiB.
  static let maxLength = 64 * 1024
  static let names: Set<String> = [
    "xtrabackup_info", "xtrabackup_checkpoints", "mariadb_backup_info", "mariadb_backup_checkpoints",
    "backup-my.cnf", "xtrabackup_binlog_info", "mariadb_backup_binlog_info",
  ]
  static func applies(to path: String) -> Bool { names.contains(path.split(separator: "/").last.map(String.init) ?? path) }

  private let context: LayerContext
  private var text: [UInt8] = []
  private var tooLong = false

  init(context: LayerContext) { self.context = context }

  func consume(_ bytes: UnsafeRawBufferPointer) {
    guard !tooLong else { return }
    if text.count + bytes.count > Self.maxLength { tooLong = true; text = []; return }
    text.append(contentsOf: bytes)
  }

  func finish() {
    guard let member = context.member, !tooLong else { return }
    let readable = text.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || $0 >= 0x20 && $0 != 0x7F }
      && String(validating: text, as: UTF8.self) != nil
    guard readable else {
      member.setFact("meta.readable", "no")
      return
    }
    member.setFact("meta.readable", "yes")
    member.addProof("readable text")
    for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
      guard let eq = line.firstIndex(of: "=") else { continue }
      let key = line[..<eq].trimmingCharacters(in: " \t")
      let value = line[line.index(after: eq)...].trimmingCharacters(in: " \t\r")
      guard !key.isEmpty, !key.hasPrefix("#"), key.count <= 64 else { continue }
      member.setFact("meta.\(key)", String(value.prefix(256)))
    }
  }
}

extension Substring {
  func trimmingCharacters(in set: String) -> String {
    let chars = Set(set)
    var s = self[...]
    while let f = s.first, chars.contains(f) { s = s.dropFirst() }
    while let l = s.last, chars.contains(l) { s = s.dropLast() }
    return String(s)
  }
}
