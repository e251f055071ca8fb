import Formats

/// The v3 IVs seen in one input, shared by the xbcrypt layers of all its members (rule C10): an IV
/// is the CTR counter, so a repeat under one key repeats the keystream and leaks the XOR of the two
/// plaintexts. Writers draw 128 random bits per chunk, so any repeat is a writer fault.
///
/// Memory is capped at ``maxTrackedIVs`` entries (about 40 bytes each: some 80 MiB, i.e. the chunks
/// of 128 GiB of 64 KiB-chunked data). Past the cap, IVs are still compared with the table but no
/// longer added, and the layer reports that the check was partial.
final class XbcryptIVRegistry {
  static let key = "xbcrypt.ivRegistry"
  static let maxTrackedIVs = 1 << 21

  struct Seen { var member: Int; var chunk: Int }
  private var table: [UInt128: Seen] = [:]
  private(set) var isPartial = false
  var partialReported = false
  var cipherMismatchReported = false

  /// The registry of `session`, created on first use.
  static func of(_ session: Session) -> XbcryptIVRegistry {
    if let r = session.sharedState[key] as? XbcryptIVRegistry { return r }
    let r = XbcryptIVRegistry()
    session.sharedState[key] = r
    return r
  }

  /// Records `iv` (16 bytes) for chunk `chunk` of member `member`; returns where it was seen before.
  func record(_ iv: [UInt8], member: Int, chunk: Int) -> Seen? {
    var v: UInt128 = 0
    for b in iv { v = v << 8 | UInt128(b) }
    if let earlier = table[v] { return earlier }
    if table.count < Self.maxTrackedIVs {
      table[v] = Seen(member: member, chunk: chunk)
    } else {
      isPartial = true
    }
    return nil
  }
}
