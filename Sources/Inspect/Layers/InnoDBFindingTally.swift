import Formats

/// Counts one kind of page problem across a member and keeps the first occurrence, so that a
/// damaged file yields one finding ("12 pages fail; first: page 7 at offset 28672") rather than
/// thousands. The outer offset is captured when the first page is seen, since by the end of the
/// member the enclosing chunk is another one.
struct InnoDBFindingTally {
  let code: String
  private(set) var count = 0
  private(set) var firstPage = 0
  private(set) var firstOffset: Int64 = 0
  private(set) var firstAbsolute: Int64 = 0
  private(set) var detail = ""
  private(set) var expected: String?
  private(set) var found: String?

  init(code: String) { self.code = code }

  mutating func add(page: Int, at offset: Int64, context: LayerContext, _ detail: @autoclosure () -> String,
                    expected: @autoclosure () -> String? = nil, found: @autoclosure () -> String? = nil) {
    count += 1
    guard count == 1 else { return }
    firstPage = page; firstOffset = offset; firstAbsolute = context.absoluteOffset(offset)
    self.detail = detail(); self.expected = expected(); self.found = found()
  }

  /// Records the finding if any page was counted. `what` reads like "fail their checksum".
  func report(_ context: LayerContext, severity: Severity = .error, what: String, of total: Int, unit: String = "pages") {
    guard count > 0 else { return }
    let message = "\(count) of \(total) \(unit) \(what); first: page \(firstPage) at member offset \(firstOffset) (\(detail))"
    var f = Finding(code: code, severity: severity, category: .integrity, layer: "innodb", offset: firstAbsolute,
                    layerOffset: firstOffset, message: message, expected: expected, found: found)
    f.memberID = context.member?.id
    context.session.add(f)
  }
}

extension LayerContext {
  /// Records a finding of the InnoDB checks (layer `innodb`) at `layerOffset` of the member.
  func report(innodb code: String, _ severity: Severity, at layerOffset: Int64?, _ message: String,
                    expected: String? = nil, found: String? = nil) {
    var f = Finding(code: code, severity: severity, category: .integrity, layer: "innodb",
                    offset: layerOffset.map { absoluteOffset($0) }, layerOffset: layerOffset, message: message,
                    expected: expected, found: found)
    f.memberID = member?.id
    session.add(f)
  }
}

