import FuzzKit

#if LIBFUZZER
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  FuzzEntries.xbcryptKeyed(UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : count))
  return 0
}
#else
/// Without libFuzzer: replays the files and folders given as arguments.
@main enum Replay {
  static func main() {
    let n = FuzzEntries.replay(Array(CommandLine.arguments.dropFirst()), FuzzEntries.xbcryptKeyed)
    print("replayed \(n) inputs")
  }
}
#endif
