/// A problem that stops the reading of an xbcrypt file. Offsets are layer offsets of the chunk's magic.
public enum XbcryptError: Error, Equatable, Sendable {
  /// The input ended inside a chunk (rule C1).
  case truncated(offset: Int64, structure: String, needed: UInt64, available: UInt64)
  /// The bytes where a chunk should start are not `XBCRYP01/02/03` (rule C2). `found` holds up to 8 bytes.
  case badMagic(offset: Int64, found: [UInt8])
  /// original_size, encrypted_size or iv_len over ``XbcryptLimits/maxSize`` (rule C3).
  case sizeTooLarge(offset: Int64, field: String, value: UInt64)
  /// iv_len over ``XbcryptLimits/maxIVLength`` (not INT_MAX, but never a usable counter).
  case ivTooLong(offset: Int64, length: UInt64)

  public var offset: Int64 {
    switch self {
    case let .truncated(o, _, _, _), let .badMagic(o, _), let .sizeTooLarge(o, _, _), let .ivTooLong(o, _): o
    }
  }
}

extension XbcryptError: CustomStringConvertible {
  public var description: String {
    switch self {
    case let .truncated(_, structure, needed, available):
      "truncated: input ends inside the \(structure) of a chunk: expected \(needed) bytes, found \(available)"
    case let .badMagic(_, found):
      "bad chunk magic: expected \"XBCRYP01\", \"XBCRYP02\" or \"XBCRYP03\", found \(ByteText.preview(found))"
    case let .sizeTooLarge(_, field, value):
      "\(field) \(value) exceeds INT_MAX (\(XbcryptLimits.maxSize)), which every reader rejects"
    case let .ivTooLong(_, length):
      "iv_len \(length) exceeds the limit of \(XbcryptLimits.maxIVLength) bytes (writers store 16)"
    }
  }
}
