#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Formats

// xbbench: the helper of Benchmarks/run. Floors (single-threaded passes over a file in 1 MiB blocks,
// the physical limits xbinspect is compared with) and the xbcrypt v3 writer that builds the encrypted
// inputs, which no Debian package writes. Not part of xbinspect; never used by tests.
//
//   xbbench floor crc|crc-sha|adler|aes-sha FILE   prints "<bytes> <seconds>"
//   xbbench encrypt KEYFILE < plain > encrypted    xbcrypt v3, 64 KiB chunks, random IVs

let blockSize = 1 << 20

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("xbbench: \(message)\n".utf8))
  exit(2)
}

/// Reads `fd` to its end in `blockSize` pieces, calling `body` with each.
func readBlocks(_ fd: Int32, _ body: (UnsafeRawBufferPointer) -> Void) -> UInt64 {
  let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
  defer { buffer.deallocate() }
  var total: UInt64 = 0
  while true {
    let n = read(fd, buffer.baseAddress, blockSize)
    if n < 0 { fail("read failed: \(String(cString: strerror(errno)))") }
    if n == 0 { return total }
    body(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
    total += UInt64(n)
  }
}

func monotonicSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// One floor: the cheapest single-threaded pass that does the named work over every byte.
func floor(_ kind: String, path: String) {
  let fd = open(path, O_RDONLY)
  if fd < 0 { fail("cannot open \(path)") }
  defer { close(fd) }
  let start = monotonicSeconds()
  var sink: UInt32 = 0
  let total: UInt64
  switch kind {
  case "crc":
    var crc = CRC32()
    total = readBlocks(fd) { crc.update($0) }
    sink = crc.value
  case "crc-sha":
    var crc = CRC32()
    let sha = SHA256()
    total = readBlocks(fd) { crc.update($0); sha.update($0) }
    sink = crc.value ^ UInt32(sha.finalize()[0])
  case "adler":
    var adler = Adler32()
    total = readBlocks(fd) { adler.update($0) }
    sink = adler.value
  case "aes-sha":
    // Decrypt every byte with AES-256-CTR and hash the plaintext: what a v3 chunk costs at least.
    let cipher = try! AESCTRCipher(key: [UInt8](repeating: 7, count: 32))
    let sha = SHA256()
    let plain = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
    defer { plain.deallocate() }
    total = readBlocks(fd) { block in
      let out = UnsafeMutableRawBufferPointer(rebasing: plain[..<block.count])
      cipher.apply(block, into: out)
      sha.update(UnsafeRawBufferPointer(out))
    }
    sink = UInt32(sha.finalize()[0])
  default:
    fail("unknown floor \(kind): crc, crc-sha, adler or aes-sha")
  }
  let seconds = monotonicSeconds() - start
  print("\(total) \(String(format: "%.4f", seconds)) \(sink == 0xFFFF_FFFF ? "!" : "")")
}

/// Writes stdin as xbcrypt v3 (spec §2.2): per 64 KiB of data one chunk whose ciphertext is
/// AES-CTR(data ‖ SHA-256(data)) from a fresh random IV, with the CRC-32 of the ciphertext.
func encrypt(keyPath: String) {
  guard let key = FileManager.default.contents(atPath: keyPath).map({ [UInt8]($0) }) else { fail("cannot read \(keyPath)") }
  let cipher: AESCTRCipher
  do { cipher = try AESCTRCipher(key: key) } catch { fail("\(error)") }
  let chunkData = 65536
  var rng = SystemRandomNumberGenerator()
  let input = FileHandle.standardInput, output = FileHandle.standardOutput
  var pending: [UInt8] = []
  func le(_ v: UInt64, _ n: Int, into out: inout [UInt8]) {
    for i in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
  }
  func emit(_ data: ArraySlice<UInt8>) {
    let plain = Array(data) + SHA256.hash(Array(data))
    let iv = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
    try! cipher.reset(counter: iv)
    let ct = cipher.apply(plain)
    var out = Array("XBCRYP03".utf8)
    out.reserveCapacity(ct.count + 64)
    le(0, 8, into: &out)
    le(UInt64(plain.count), 8, into: &out)
    le(UInt64(ct.count), 8, into: &out)
    le(UInt64(CRC32.checksum(ct)), 4, into: &out)
    le(16, 8, into: &out)
    out += iv
    out += ct
    output.write(Data(out))
  }
  while true {
    let piece = input.readData(ofLength: 4 << 20)
    if piece.isEmpty { break }
    pending += piece
    var at = 0
    while pending.count - at >= chunkData { emit(pending[at..<(at + chunkData)]); at += chunkData }
    pending.removeFirst(at)
  }
  if !pending.isEmpty { emit(pending[...]) }
}

let args = CommandLine.arguments
switch (args.count, args.count > 1 ? args[1] : "") {
case (4, "floor"): floor(args[2], path: args[3])
case (3, "encrypt"): encrypt(keyPath: args[2])
default: fail("usage: xbbench floor crc|crc-sha|adler|aes-sha FILE | xbbench encrypt KEYFILE < in > out")
}
