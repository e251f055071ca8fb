import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Whether bytes parse as XML (Foundation's parser, which is libxml2 underneath).
public enum XMLWellFormedness {
  public static func check(_ xml: [UInt8]) -> Bool {
    let parser = XMLParser(data: Data(xml))
    return parser.parse()
  }
}
