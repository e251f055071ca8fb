import Formats

/// Verifies an xbcrypt layer (spec §2, rules C1–C15) and passes the decrypted data on to the
/// member's next layer (a transform layer: `t1.ibd.qp.xbcrypt` → `t1.ibd.qp`).
///
/// Per chunk: structure (C1–C5, C7, C11, C14), CRC-32 of the ciphertext (C6), IV uniqueness within
/// the member and across the input (C10, ``XbcryptIVRegistry``), then AES-CTR decryption with the
/// counter each version really used (v1, v2: zero block; v3: the stored IV) and, for v3, the
/// SHA-256 of the data (C8). A chunk is held whole (it is at most ``maxHeldChunk`` bytes; writers cut
/// 64 KiB) so that its plaintext goes downstream only once it verified: a wrong key or a corrupted
/// chunk never feeds garbage to the inner layers. Larger chunks are decrypted as they stream.
///
/// After the first chunk that fails (CRC, hash, undecryptable IV) nothing more goes downstream and
/// the inner layers are not finished: the member has no digest. With every v3 chunk failing its
/// hash the key is wrong; with some failing, those chunks are corrupted. v1/v2 carry no hash: the
/// key is proven only by the inner layers (C15), read from the member's proofs and findings.
final class XbcryptLayer: ByteConsumer, XbcryptParserDelegate {
  /// Chunks up to this many ciphertext bytes are held until they verify; larger ones stream.
  static let maxHeldChunk: UInt64 = XbcryptLimits.largeChunkWarning
  /// Findings of one code listed per member; the rest are counted in one summary finding.
  static let maxFindingsPerCode = 10

  private struct Candidate {
    let key: KeyMaterial
    let cipher: AESCTRCipher
  }

  private struct Failure { var chunk: Int; var offset: Int64; var absolute: Int64 }

  private let context: LayerContext
  private let registry: XbcryptIVRegistry
  private var parser = XbcryptParser()
  private var fatal: XbcryptError?
  private var fatalAbsolute: Int64 = 0
  private var candidates: [Candidate] = []
  /// The candidate whose key the member uses, once known (v3: the first whose hash verifies).
  private var chosen: Int?

  // Chunks decrypted and hashed ahead on helper threads (see ``ChunkJob``).
  private let offload: InOrderOffload
  private let jobs: OffloadJobPool<ChunkJob>
  /// Whether the chunk being read goes to the offload (decided from its header).
  private var offloading = false

  // The chunk being read.
  private var chunkIndex = -1
  private var chunkAbsolute: Int64 = 0
  private var held: [UInt8] = []
  private var streaming: (candidate: Int?, position: UInt64, hash: SHA256, tail: [UInt8])?

  // The member.
  private var next: ByteConsumer?
  private var described = false
  private var delivering = true
  private var versions: [XbcryptChunkHeader.Version] = []
  private var firstAbsolute: Int64?
  private var verifiedChunks = 0
  private var hashFailures: [Failure] = []
  private var hashFailureCount = 0
  private var oldVersionDelivered = false
  private var reported: [String: Int] = [:]
  private var proofsBefore = 0
  private var reportedOnce: Set<String> = []

  init(context: LayerContext) {
    self.context = context
    registry = XbcryptIVRegistry.of(context.session)
    offload = context.session.makeOffload()
    jobs = OffloadJobPool(session: context.session)
    for key in context.options.keys {
      do {
        candidates.append(Candidate(key: key, cipher: try AESCTRCipher(key: key.bytes)))
      } catch {
        emit("xbcrypt.key_unusable", .error, category: .evaluation, at: 0, absolute: context.absoluteOffset(0),
             "the key from \(key.source) cannot be used: \(error.description)")
      }
    }
    if candidates.count == 1 { chosen = 0 }
    checkAssertedCipher()
    proofsBefore = context.member?.proofs.count ?? 0
  }

  // MARK: ByteConsumer

  func consume(_ bytes: UnsafeRawBufferPointer) {
    guard fatal == nil else { return }
    do { try parser.feed(bytes, to: self) } catch { fatal = error }
    // Chunks in flight may outlive this piece (no drain here): a piece of a member inside xbstream is
    // often one chunk, and waiting at its end would idle the helpers. Offsets stay right (each layer
    // maps its own offsets through its arrivals), and the conclusion points depend only on the item
    // count, the same on one thread.
  }

  func finish() {
    defer { releaseHeld() }
    offload.drain()
    // Every job is back (drained): give them to the layers still reading.
    defer { jobs.returnAll() }
    if fatal == nil {
      do { try parser.finish(self) } catch { fatal = error }
    }
    if let fatal { reportFatal(fatal) }
    reportHashFailures()
    for (code, count) in reported.sorted(by: { $0.key < $1.key }) where count > Self.maxFindingsPerCode {
      emit("xbcrypt.more_findings", .info, at: nil, absolute: nil,
           "\(count - Self.maxFindingsPerCode) more \(code) findings in this member are not listed")
    }
    let chunks = chunkIndex + 1
    let member = context.member
    member?.setFact("xbcrypt.chunks", "\(chunks)")
    if !versions.isEmpty { member?.setFact("xbcrypt.version", versions.map { "\($0.rawValue)" }.joined(separator: ",")) }
    if registry.isPartial && !registry.partialReported {
      registry.partialReported = true
      context.session.setFact("xbcrypt.ivReuseCheck", "partial")
      emit("xbcrypt.iv_check_partial", .info, at: nil, absolute: nil,
           "more than \(XbcryptIVRegistry.maxTrackedIVs) IVs in this input: later IVs were compared with the first \(XbcryptIVRegistry.maxTrackedIVs) only, so the IV reuse check across the backup is partial")
    }

    guard !candidates.isEmpty else { finishWithoutKey(chunks: chunks); return }
    if let c = chosen.map({ candidates[$0] }) {
      member?.setFact("xbcrypt.keyFingerprint", c.key.fingerprint)
      member?.setFact("xbcrypt.cipher", c.key.variant?.rawValue ?? "?")
      member?.setFact("xbcrypt.keyLength", "\(c.key.bytes.count)")
    }
    if fatal == nil && delivering {
      let next = self.next ?? downstream(description: versions.isEmpty ? "xbcrypt (no chunks)" : description)
      next.finish()
      judgeKey(chunks: chunks)
    } else {
      describe()
      if next != nil || chunks > 0 {
        member?.setDigestNote("not computed: the xbcrypt layer could not be decrypted completely")
      }
      if verifiedChunks > 0 { member?.setFact("xbcrypt.keyVerified", "XBCRYP03 plaintext SHA-256 (\(verifiedChunks) of \(chunks) chunks)") }
    }
  }

  // MARK: XbcryptParserDelegate

  func xbcryptChunkStarts(at offset: Int64) {
    chunkAbsolute = context.absoluteOffset(offset)
    if firstAbsolute == nil { firstAbsolute = chunkAbsolute }
  }

  func xbcryptChunk(_ h: XbcryptChunkHeader) {
    chunkIndex += 1
    offloading = canOffload(h)
    if !offloading { offload.drain() }
    held.removeAll(keepingCapacity: h.encryptedSize <= 1 << 20)
    releaseHeld()
    streaming = nil
    checkHeader(h)
    if h.encryptedSize > Self.maxHeldChunk || !reserveHeld(h.encryptedSize) {
      var c = candidates.isEmpty ? nil : (chosen ?? 0)
      if let i = c {
        do {
          guard let counter = counter(for: h) else { throw CryptoError("no usable counter") }
          try candidates[i].cipher.reset(counter: counter)
        } catch {
          c = nil; delivering = false
        }
      }
      streaming = (c, 0, SHA256(), [])
    }
  }

  /// Bytes of the held chunk counted against the input's ``MemoryBudget``.
  private var heldReservation = 0

  /// Reserves room to hold a chunk of `size` bytes; false when the budget is spent (the chunk then
  /// streams like an oversized one, so memory stays bounded however many members hold chunks).
  private func reserveHeld(_ size: UInt64) -> Bool {
    guard size >= UInt64(MemoryBudget.threshold) else { return true }
    guard MemoryBudget.of(context.session).reserve(Int(size)) else { return false }
    heldReservation = Int(size)
    return true
  }

  private func releaseHeld() {
    if heldReservation > 0 { MemoryBudget.of(context.session).release(heldReservation); heldReservation = 0 }
  }

  func xbcryptCiphertext(_ bytes: UnsafeRawBufferPointer) {
    guard streaming != nil else { held.append(contentsOf: bytes); return }
    streamPiece(bytes)
  }

  func xbcryptChunkEnd(_ h: XbcryptChunkHeader, computedChecksum: UInt32) {
    let crcOK = computedChecksum == h.checksum
    if offloading && crcOK && delivering, let counter = counter(for: h), let c = chosen,
       submit(h, counter: counter, candidate: c) {
      return
    }
    offload.drain()
    if !crcOK {
      emit("xbcrypt.crc_mismatch", .error, at: h.offset, absolute: chunkAbsolute,
           "CRC-32 mismatch in the ciphertext of chunk \(chunkIndex) (\(h.encryptedSize) bytes): the chunk is corrupted",
           expected: hex32(h.checksum), found: hex32(computedChecksum))
      delivering = false
    }
    guard !candidates.isEmpty else { return }
    if let s = streaming {
      if h.version == .v3 {
        let verified = s.hash.finalize() == s.tail
        conclude(h, verified: verified, crcOK: crcOK, candidate: s.candidate, chunk: chunkIndex, absolute: chunkAbsolute)
      } else if let c = s.candidate {
        if chosen == nil { chosen = c }
      }
      streaming = nil
      return
    }
    guard let counter = counter(for: h), h.version != .v3 || h.encryptedSize >= XbcryptLimits.hashLength else {
      delivering = false  // C5 / C7 already reported: no plaintext to give
      return
    }
    if h.version != .v3 {
      if chosen == nil { chosen = 0 }
      guard let plain = decrypt(counter: counter, with: candidates[chosen!]) else { delivering = false; return }
      if delivering { oldVersionDelivered = true }
      plain.withUnsafeBytes { deliver($0, chunk: h) }
      return
    }
    let order = chosen.map { [$0] } ?? Array(candidates.indices)
    var winner: (Int, [UInt8])?
    for i in order {
      guard let plain = decrypt(counter: counter, with: candidates[i]) else { continue }
      let n = Int(h.dataSize)
      let digest = plain.withUnsafeBytes { p in
        let hash = SHA256(); hash.update(UnsafeRawBufferPointer(rebasing: p[..<n])); return hash.finalize()
      }
      if digest.elementsEqual(plain[n...]) { winner = (i, Array(plain[..<n])); break }
    }
    conclude(h, verified: winner != nil, crcOK: crcOK, candidate: winner?.0, chunk: chunkIndex, absolute: chunkAbsolute)
    if let (_, data) = winner { data.withUnsafeBytes { deliver($0, chunk: h) } }
  }

  // MARK: Decryption

  /// The initial counter block the writer of `h` really used (spec §2.4); nil when none is usable.
  private func counter(for h: XbcryptChunkHeader) -> [UInt8]? {
    switch h.version {
    case .v1, .v2: return AESCTRCipher.zeroCounter
    case .v3:
      if h.ivLength == XbcryptLimits.ivLength { return h.iv }
      return h.ivLength == 0 ? AESCTRCipher.zeroCounter : nil  // 0: the readers' silent zero counter
    }
  }

  /// The held ciphertext decrypted with candidate `c` from `counter`.
  private func decrypt(counter: [UInt8], with c: Candidate) -> [UInt8]? {
    do { try c.cipher.reset(counter: counter) } catch { return nil }
    return c.cipher.apply(held)
  }

  /// A piece of a chunk too large to hold: decrypted, hashed and delivered as it arrives.
  private func streamPiece(_ bytes: UnsafeRawBufferPointer) {
    guard var s = streaming, let c = s.candidate, let h = currentHeaderForStream else { return }
    var plain = [UInt8](repeating: 0, count: bytes.count)
    plain.withUnsafeMutableBytes { candidates[c].cipher.apply(bytes, into: $0) }
    let dataLeft = h.dataSize > s.position ? Int(min(UInt64(bytes.count), h.dataSize - s.position)) : 0
    plain.withUnsafeBytes { p in
      let data = UnsafeRawBufferPointer(rebasing: p[..<dataLeft])
      s.hash.update(data)
      deliver(data, chunk: h)
      s.tail.append(contentsOf: p[dataLeft...])
    }
    if h.version != .v3 && delivering { oldVersionDelivered = true }
    s.position += UInt64(bytes.count)
    streaming = s
  }

  /// The header of the chunk being streamed (kept by ``checkHeader(_:)``).
  private var currentHeaderForStream: XbcryptChunkHeader?

  /// Bookkeeping after a v3 chunk's hash was checked.
  private func conclude(_ h: XbcryptChunkHeader, verified: Bool, crcOK: Bool, candidate: Int?, chunk: Int, absolute: Int64) {
    if verified {
      verifiedChunks += 1
      if chosen == nil { chosen = candidate }
      return
    }
    delivering = false
    guard crcOK else { return }  // a CRC mismatch already explains it
    hashFailureCount += 1
    if hashFailures.count < Self.maxFindingsPerCode {
      hashFailures.append(Failure(chunk: chunk, offset: h.offset, absolute: absolute))
    }
  }

  // MARK: Decrypting ahead

  /// Chunks up to this many ciphertext bytes may be decrypted ahead (memory: ``InOrderOffload/lag``
  /// + 1 of them, twice: ciphertext and plaintext).
  static let maxOffloadedChunk: UInt64 = 256 << 10

  /// One v3 chunk decrypted and hashed on a helper thread: its own cipher context, hash and buffers,
  /// recycled through the layer's ``OffloadJobPool``.
  private final class ChunkJob: @unchecked Sendable {
    let cipher: AESCTRCipher
    let sha = SHA256()
    var ciphertext: [UInt8] = []
    var plaintext: [UInt8] = []
    var verified = false
    init(cipher: AESCTRCipher) { self.cipher = cipher }

    /// Decrypts the ciphertext from `counter` and compares the trailing SHA-256 with the data's.
    func run(counter: [UInt8], dataSize: Int) {
      verified = false
      guard (try? cipher.reset(counter: counter)) != nil else { return }
      if plaintext.count < ciphertext.count { plaintext = [UInt8](repeating: 0, count: ciphertext.count) }
      let n = ciphertext.count
      ciphertext.withUnsafeBytes { c in
        plaintext.withUnsafeMutableBytes { p in
          cipher.apply(c, into: UnsafeMutableRawBufferPointer(rebasing: p[..<n]))
          sha.update(UnsafeRawBufferPointer(rebasing: p[..<dataSize]))
          verified = sha.finalize().withUnsafeBytes { $0.elementsEqual(UnsafeRawBufferPointer(rebasing: p[dataSize..<n])) }
        }
      }
    }
  }

  /// Whether the chunk `h` announces can be decrypted ahead: a v3 chunk of a usual size with a
  /// usable IV, once the key is known. Anything unusual takes the inline path, in stream order.
  private func canOffload(_ h: XbcryptChunkHeader) -> Bool {
    h.version == .v3 && chosen != nil && h.encryptedSize > XbcryptLimits.hashLength
      && h.encryptedSize <= Self.maxOffloadedChunk && h.ivLength == XbcryptLimits.ivLength
  }

  /// Hands the held chunk to a helper; its verdict and plaintext come back in order. False (nothing
  /// taken) when the session's jobs are all taken (``Session/maxOffloadJobs``) or OpenSSL cannot
  /// make a cipher context: the chunk then takes the inline path.
  private func submit(_ h: XbcryptChunkHeader, counter: [UInt8], candidate c: Int) -> Bool {
    let key = candidates[c].key.bytes
    guard let job = jobs.take(orMake: { (try? AESCTRCipher(key: key)).map(ChunkJob.init) }) else { return false }
    swap(&job.ciphertext, &held)
    held.removeAll(keepingCapacity: true)
    let index = chunkIndex, absolute = chunkAbsolute, dataSize = Int(h.dataSize)
    // Weakly: a layer its upstream abandons unfinished must not be kept by its own items.
    offload.submit(work: { job.run(counter: counter, dataSize: dataSize) }, then: { [weak self] in
      guard let self else { return }
      conclude(h, verified: job.verified, crcOK: true, candidate: c, chunk: index, absolute: absolute)
      if job.verified { job.plaintext.withUnsafeBytes { deliver(UnsafeRawBufferPointer(rebasing: $0[..<dataSize]), chunk: h) } }
      jobs.recycle(job)
    })
    return true
  }

  // MARK: Downstream

  private var description: String { "xbcrypt v\(versions.first?.rawValue ?? 3)" }

  private func downstream(description: String) -> ByteConsumer {
    if let next { return next }
    described = true
    let n = context.peeled(suffix: ".xbcrypt", description: description)
    next = n
    return n
  }

  /// Records the layer on the member when nothing goes downstream.
  private func describe() {
    guard !described, let member = context.member else { return }
    described = true
    member.layers.append(versions.isEmpty ? "xbcrypt" : description)
    member.stripSuffix(".xbcrypt")
  }

  private func deliver(_ bytes: UnsafeRawBufferPointer, chunk h: XbcryptChunkHeader) {
    guard delivering else { return }
    let next = downstream(description: description)
    context.deliveringOffset = h.offset
    if !bytes.isEmpty { next.consume(bytes) }
  }

  // MARK: Verdicts

  private func finishWithoutKey(chunks: Int) {
    describe()
    guard chunks > 0 else {
      // No chunk: the plaintext is known to be empty without any key.
      let n = downstream(description: "xbcrypt (no chunks)")
      n.finish()
      return
    }
    context.member?.setDigestNote("not computed: no key was given for the xbcrypt layer")
    let require = context.options.requireKey
    emit("xbcrypt.not_decrypted", require ? .error : .warning, category: require ? .evaluation : .integrity,
         at: 0, absolute: firstAbsolute,
         "no key given: the structure of \(chunks) chunks was checked, but decryption and the plaintext were not verified (give --key-file, --key-env or --kms-plaintext-file)")
  }

  private func reportHashFailures() {
    guard hashFailureCount > 0 else { return }
    let first = hashFailures[0]
    if verifiedChunks == 0 {
      let keys = candidates.count == 1
        ? "the key from \(candidates[0].key.source) (\(candidates[0].key.variant?.rawValue ?? "?"), fingerprint \(candidates[0].key.fingerprint))"
        : "any of the \(candidates.count) keys given"
      emit("xbcrypt.wrong_key", .error, at: 0, absolute: firstAbsolute ?? first.absolute,
           "wrong key: the XBCRYP03 plaintext SHA-256 fails in every checked chunk (\(hashFailureCount)) with \(keys); a key of another length selects another AES variant",
           expected: "plaintext SHA-256 match", found: "mismatch in \(hashFailureCount) of \(hashFailureCount) chunks")
      return
    }
    for f in hashFailures {
      emit("xbcrypt.hash_mismatch", .error, at: f.offset, absolute: f.absolute,
           "chunk \(f.chunk): plaintext SHA-256 mismatch while \(verifiedChunks) other chunks verify with the same key: the ciphertext was altered before its CRC-32 was computed",
           expected: "SHA-256 of the data", found: "mismatch")
    }
    if hashFailureCount > hashFailures.count {
      emit("xbcrypt.more_findings", .info, at: nil, absolute: nil,
           "\(hashFailureCount - hashFailures.count) more xbcrypt.hash_mismatch chunks in this member are not listed")
    }
  }

  /// Whether the key is proven (v3 hash, or an inner check for v1/v2: rule C15).
  private func judgeKey(chunks: Int) {
    guard let member = context.member, chunks > 0 else {
      context.member?.setFact("xbcrypt.keyVerified", "not applicable: no chunks")
      return
    }
    if verifiedChunks > 0 && !oldVersionDelivered {
      member.setFact("xbcrypt.keyVerified", "XBCRYP03 plaintext SHA-256 (\(verifiedChunks) of \(chunks) chunks)")
      return
    }
    if verifiedChunks > 0 {
      member.setFact("xbcrypt.keyVerified", "XBCRYP03 plaintext SHA-256 (\(verifiedChunks) of \(chunks) chunks; the rest are v1/v2)")
      return
    }
    var own: Set<String> = []
    var c: LayerContext? = context
    while let x = c { own.insert(x.layer); c = x.parent }
    let inner = context.memberFindings(atLeast: .error).filter { !own.contains($0.layer) }
    let proofs = Array(member.proofs.dropFirst(proofsBefore))
    let old = "XBCRYP0\(versions.first { $0 != .v3 }?.rawValue ?? 2)"
    let unreadable = member.facts["meta.readable"] == "no"
    if inner.first != nil || unreadable {
      let promised = LayerKind.promised(by: member.path).map { $0 == .qpress ? "a qpress archive" : "\($0.rawValue) data" }
      let what = unreadable ? "readable text (a metadata file)" : promised ?? "valid \(inner[0].layer)"
      let why = inner.first.map { " (\($0.code))" } ?? ""
      emit("xbcrypt.inner_layer_invalid", .error, at: 0, absolute: firstAbsolute,
           "decrypts to bytes that are not \(what)\(why): wrong key or corruption; \(old) has no plaintext hash to tell which")
    } else if !proofs.isEmpty {
      member.setFact("xbcrypt.keyVerified", "inner layer: \(proofs.joined(separator: ", "))")
    } else {
      member.setFact("xbcrypt.keyVerified", "no")
      emit("xbcrypt.key_not_verifiable", .warning, at: 0, absolute: firstAbsolute,
           "key not verifiable: \(old) has no plaintext hash and no inner-layer check (compression checksum, InnoDB page checksum, readable metadata text) applies to the decrypted bytes, so a wrong key would go unnoticed")
    }
  }

  // MARK: Checks

  private func checkHeader(_ h: XbcryptChunkHeader) {
    currentHeaderForStream = h
    if let first = versions.first, !versions.contains(h.version), !reportedOnce.contains("mixed") {
      reportedOnce.insert("mixed")
      emit("xbcrypt.mixed_versions", .warning, at: h.offset, absolute: chunkAbsolute,
           "chunk \(chunkIndex) is XBCRYP0\(h.version.rawValue) but the member started as XBCRYP0\(first.rawValue): no writer mixes versions in one file",
           expected: "XBCRYP0\(first.rawValue)", found: "XBCRYP0\(h.version.rawValue)")
    }
    if !versions.contains(h.version) { versions.append(h.version) }
    if h.version != .v3 && !reportedOnce.contains("old") {
      reportedOnce.insert("old")
      emit("xbcrypt.keystream_reuse", .warning, at: h.offset, absolute: chunkAbsolute,
           "old format XBCRYP0\(h.version.rawValue): every chunk is encrypted with the zero-counter keystream (\(h.version == .v2 ? "the stored IV is ignored" : "no IV")), so the keystream is reused across chunks and files under one key (CVE-2016-6225); re-encrypt with XtraBackup 2.3.6/2.4.5 or later (XBCRYP03)")
    }
    if h.reserved != 0 {
      limited("xbcrypt.reserved_nonzero", .warning, h, "reserved field of chunk \(chunkIndex) is not 0 (every writer writes 0)",
              expected: "0", found: "0x\(String(h.reserved, radix: 16))")
    }
    if h.originalSize != h.encryptedSize {
      limited("xbcrypt.size_mismatch", .error, h,
              "chunk \(chunkIndex): original_size \(h.originalSize) differs from encrypted_size \(h.encryptedSize) (CTR adds no padding\(h.version == .v3 ? "; both count the 32-byte hash" : ""))",
              expected: "\(h.encryptedSize)", found: "\(h.originalSize)")
    }
    if h.version == .v3 && h.encryptedSize <= XbcryptLimits.hashLength {
      limited("xbcrypt.chunk_too_short", .error, h,
              "chunk \(chunkIndex): XBCRYP03 encrypted_size \(h.encryptedSize) leaves no data byte beside the 32-byte hash (readers underflow or abort)",
              expected: "≥ 33", found: "\(h.encryptedSize)")
    } else if h.version != .v3 && h.encryptedSize == 0 {
      limited("xbcrypt.chunk_too_short", .error, h, "chunk \(chunkIndex): encrypted_size 0 (no writer emits an empty chunk)",
              expected: "≥ 1", found: "0")
    }
    if h.encryptedSize > XbcryptLimits.largeChunkWarning {
      limited("xbcrypt.large_chunk", .warning, h,
              "chunk \(chunkIndex) declares \(h.encryptedSize) bytes, over \(XbcryptLimits.largeChunkWarning) (writers cut 64 KiB chunks)",
              expected: "≤ \(XbcryptLimits.largeChunkWarning)", found: "\(h.encryptedSize)")
    }
    guard h.version != .v1 else { return }
    if h.ivLength != XbcryptLimits.ivLength {
      let effect = h.version == .v2 ? "the v2 IV is ignored anyway"
        : h.ivLength == 0 ? "readers silently decrypt with a zero counter" : "no reader can decrypt it"
      limited("xbcrypt.bad_iv_length", .error, h, "chunk \(chunkIndex): iv_len \(h.ivLength), not 16 (\(effect))",
              expected: "16", found: "\(h.ivLength)")
      return
    }
    guard h.version == .v3 else { return }
    if h.iv.allSatisfy({ $0 == 0 }) {
      limited("xbcrypt.zero_iv", .warning, h,
              "chunk \(chunkIndex): all-zero IV (the counter of the broken v1/v2 format; writers draw a random one)",
              expected: "random 16 bytes", found: "00…00")
    }
    let memberID = context.member?.id ?? -1
    if let earlier = registry.record(h.iv, member: memberID, chunk: chunkIndex) {
      let where_ = earlier.member == memberID ? "chunk \(earlier.chunk) of this member"
        : "chunk \(earlier.chunk) of member \(context.session.members.indices.contains(earlier.member) ? context.session.members[earlier.member].storedPath : "?")"
      limited("xbcrypt.iv_reuse", .warning, h,
              "chunk \(chunkIndex) repeats the IV of \(where_): under one key the keystream repeats and the XOR of the two plaintexts leaks",
              expected: "a fresh IV per chunk", found: "IV \(h.iv.hexString) seen before")
    }
  }

  /// Rule C13 complement: `--cipher` asserted and a key of another length (the real tools silently
  /// use the variant the key length selects). Reported once per input.
  private func checkAssertedCipher() {
    guard let asserted = context.options.assertedCipher, !registry.cipherMismatchReported else { return }
    for k in context.options.keys where k.variant != asserted {
      registry.cipherMismatchReported = true
      emit("xbcrypt.cipher_mismatch", .error, category: .policy, at: 0, absolute: context.absoluteOffset(0),
           "--cipher \(asserted.rawValue) asserted, but the key from \(k.source) is \(k.bytes.count) bytes, which selects \(k.variant?.rawValue ?? "no AES variant") (xtrabackup silently uses the variant the key length selects)",
           expected: asserted.rawValue, found: k.variant?.rawValue ?? "\(k.bytes.count)-byte key")
    }
  }

  private func reportFatal(_ e: XbcryptError) {
    let abs = chunkAbsolute  // the failing chunk is always the last one that started
    switch e {
    case .truncated:
      emit("xbcrypt.truncated", .error, at: e.offset, absolute: abs, "chunk \(chunkIndex + (parserMidHeader(e) ? 1 : 0)) \(e.description)")
    case let .badMagic(offset, found):
      emit("xbcrypt.bad_magic", .error, at: offset, absolute: abs,
           "\(e.description)\(chunkIndex >= 0 ? " after \(chunkIndex + 1) chunks" : "")",
           expected: "XBCRYP0[123]", found: ByteText.preview(found))
    case let .sizeTooLarge(offset, field, value):
      emit("xbcrypt.size_too_large", .error, at: offset, absolute: abs, "chunk \(chunkIndex + 1): \(e.description)",
           expected: "≤ \(XbcryptLimits.maxSize)", found: "\(field) \(value)")
    case let .ivTooLong(offset, length):
      emit("xbcrypt.bad_iv_length", .error, at: offset, absolute: abs, "chunk \(chunkIndex + 1): \(e.description)",
           expected: "16", found: "\(length)")
    }
  }

  /// A truncation inside a header belongs to the chunk after the last one reported to the delegate.
  private func parserMidHeader(_ e: XbcryptError) -> Bool {
    if case let .truncated(_, structure, _, _) = e { return structure != "ciphertext" }
    return false
  }

  // MARK: Reporting

  private func limited(_ code: String, _ severity: Severity, _ h: XbcryptChunkHeader, _ message: String,
                       expected: String? = nil, found: String? = nil) {
    reported[code, default: 0] += 1
    guard reported[code]! <= Self.maxFindingsPerCode else { return }
    emit(code, severity, at: h.offset, absolute: chunkAbsolute, message, expected: expected, found: found)
  }

  /// Records a finding at an outer offset captured when the chunk's first byte arrived (findings
  /// made at the end of a member would otherwise point at the container's last chunk).
  private func emit(_ code: String, _ severity: Severity, category: FindingCategory = .integrity, at layerOffset: Int64?,
                    absolute: Int64?, _ message: String, expected: String? = nil, found: String? = nil) {
    offload.drain()  // chunks before this point report first, as on one thread
    var f = Finding(code: code, severity: severity, category: category, layer: context.layer,
                    offset: absolute ?? layerOffset.map { context.absoluteOffset($0) }, layerOffset: layerOffset,
                    message: message, expected: expected, found: found)
    f.memberID = context.member?.id
    context.session.add(f)
  }
}
