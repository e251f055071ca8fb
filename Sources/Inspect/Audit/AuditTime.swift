import Foundation

/// The two time formats an audit reads, parsed by hand (fixed layouts; no locale-dependent
/// formatter), and the one it writes.
///
/// | Format | Example | Where |
/// |---|---|---|
/// | RFC 3339 (zone required; `T`, `t` or space; optional fraction) | `2024-05-01T08:00:00Z`, `2024-05-01T16:00:00+08:00` | `--encryption-enabled-at`, catalogs, DescribeBackups |
/// | `YYYY-MM-DD HH:MM:SS`, no zone | `2026-12-03 16:10:42` | `start_time` / `end_time` of `xtrabackup_info` (spec §6.1) |
public enum AuditTime {
  /// Parses an RFC 3339 timestamp; nil when malformed or without a zone.
  public static func parseRFC3339(_ text: String) -> Date? {
    let b = Array(text.utf8)
    guard b.count >= 20, let fields = dateAndTime(b), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]) else { return nil }
    var i = 19
    var fraction = 0.0
    if i < b.count, b[i] == UInt8(ascii: ".") {
      i += 1
      var scale = 0.1
      let start = i
      while i < b.count, let d = digit(b[i]) { fraction += Double(d) * scale; scale /= 10; i += 1 }
      guard i > start, i - start <= 9 else { return nil }
    }
    guard i < b.count else { return nil }
    var offsetSeconds = 0
    if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
      guard i + 1 == b.count else { return nil }
    } else {
      guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"),
            let hh = number(b, i + 1, 2), let mm = number(b, i + 4, 2), hh <= 23, mm <= 59 else { return nil }
      offsetSeconds = (hh * 3600 + mm * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
    }
    guard let zone = TimeZone(secondsFromGMT: offsetSeconds), let date = make(fields, zone: zone) else { return nil }
    return date.addingTimeInterval(fraction)
  }

  /// Parses an embedded `YYYY-MM-DD HH:MM:SS` time, read in `zone` (the backup host's zone).
  public static func parseEmbedded(_ text: String, zone: TimeZone) -> Date? {
    let b = Array(text.utf8)
    guard b.count == 19, b[10] == UInt8(ascii: " "), let fields = dateAndTime(b) else { return nil }
    return make(fields, zone: zone)
  }

  /// A time zone from an IANA name (`Asia/Shanghai`), `UTC`, or a fixed offset `+08:00`.
  public static func zone(_ text: String) -> TimeZone? {
    if text == "UTC" || text == "Z" { return TimeZone(identifier: "UTC") }
    let b = Array(text.utf8)
    if b.count == 6, b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-"), b[3] == UInt8(ascii: ":"),
       let hh = number(b, 1, 2), let mm = number(b, 4, 2), hh <= 23, mm <= 59 {
      return TimeZone(secondsFromGMT: (hh * 3600 + mm * 60) * (b[0] == UInt8(ascii: "-") ? -1 : 1))
    }
    guard text.contains("/") else { return nil }
    return TimeZone(identifier: text)
  }

  /// RFC 3339 in UTC, whole seconds (`2024-05-01T08:00:00Z`): what the evidence carries.
  public static func format(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    func p(_ v: Int?, _ w: Int) -> String { let s = String(v ?? 0); return String(repeating: "0", count: max(0, w - s.count)) + s }
    return "\(p(c.year, 4))-\(p(c.month, 2))-\(p(c.day, 2))T\(p(c.hour, 2)):\(p(c.minute, 2)):\(p(c.second, 2))Z"
  }

  // MARK: Helpers

  private struct Fields { var year, month, day, hour, minute, second: Int }

  private static func dateAndTime(_ b: [UInt8]) -> Fields? {
    guard b.count >= 19, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"),
          let y = number(b, 0, 4), let mo = number(b, 5, 2), let d = number(b, 8, 2),
          let h = number(b, 11, 2), let mi = number(b, 14, 2), let s = number(b, 17, 2),
          (1...12).contains(mo), (1...31).contains(d), h <= 23, mi <= 59, s <= 60 else { return nil }
    return Fields(year: y, month: mo, day: d, hour: h, minute: mi, second: min(s, 59))
  }

  private static func make(_ f: Fields, zone: TimeZone) -> Date? {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let c = DateComponents(year: f.year, month: f.month, day: f.day, hour: f.hour, minute: f.minute, second: f.second)
    guard let date = calendar.date(from: c) else { return nil }
    // Reject days the month does not have (2024-02-30 would roll over into March).
    guard calendar.component(.day, from: date) == f.day else { return nil }
    return date
  }

  private static func digit(_ c: UInt8) -> Int? { c >= 48 && c <= 57 ? Int(c - 48) : nil }

  private static func number(_ b: [UInt8], _ at: Int, _ width: Int) -> Int? {
    guard at + width <= b.count else { return nil }
    var v = 0
    for k in at..<(at + width) { guard let d = digit(b[k]) else { return nil }; v = v * 10 + d }
    return v
  }
}
