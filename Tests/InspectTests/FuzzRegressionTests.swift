import Foundation
import Testing
import FuzzKit
import TestSupport

/// Every input fuzzing ever found (fuzz/regressions/<target>/), the seeds (fuzz/seeds/<target>/), and
/// every bundled real sample,
/// replayed through the same entry points the fuzzers use: each must return normally.
@Suite struct FuzzRegressionTests {
  static let root = Corpus.projectRoot.appendingPathComponent("fuzz/regressions")

  static var targets: [String] { FuzzEntries.all.keys.sorted() }

  @Test(arguments: targets)
  func regressionsReplayWithoutCrashing(_ target: String) throws {
    let entry = try #require(FuzzEntries.all[target])
    let folder = Self.root.appendingPathComponent(target)
    #expect(FileManager.default.fileExists(atPath: folder.path), "fuzz/regressions/\(target) is missing")
    FuzzEntries.replay([folder.path], entry)
    // The hand-made seeds (QuickLZ packets, catalog / policy / report texts) too.
    FuzzEntries.replay([Corpus.projectRoot.appendingPathComponent("fuzz/seeds/\(target)").path], entry)
  }

  @Test(arguments: targets)
  func bundledSamplesReplayAsSeeds(_ target: String) throws {
    let entry = try #require(FuzzEntries.all[target])
    let n = FuzzEntries.replay([Corpus.own.appendingPathComponent("real").path], entry)
    #expect(n >= 5)
  }
}
