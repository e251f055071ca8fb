// swift-tools-version:6.2
import PackageDescription

/// Layering (see README "Architecture"): C shims → Formats (pure parsers) → Inspect (engine) → Report →
/// the thin `xbinspect` executable. Fuzz targets and the benchmark are executables beside it.
let package = Package(
  name: "xbinspect",
  products: [
    .executable(name: "xbinspect", targets: ["xbinspect"]),
  ],
  targets: [
    .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib"),
    .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto"),
    .systemLibrary(name: "CXML2", path: "Sources/CXML2", pkgConfig: "libxml-2.0"),
    .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd"),
    .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4"),
    .systemLibrary(name: "CISAL", path: "Sources/CISAL", pkgConfig: "libisal"),

    .target(name: "Formats", dependencies: ["CZlib", "CCrypto", "CZstd", "CLZ4", "CISAL"]),
    .target(name: "Inspect", dependencies: ["Formats"]),
    .target(name: "Report", dependencies: ["Inspect", "CXML2"]),
    .executableTarget(name: "xbinspect", dependencies: ["Inspect", "Report", "Formats"]),

    // Fuzz targets: libFuzzer entry points with -DLIBFUZZER (fuzz/run), file replayers otherwise.
    .target(name: "FuzzKit", dependencies: ["Inspect", "Report", "Formats"], path: "fuzz/FuzzKit"),
    .executableTarget(name: "FuzzXbstream", dependencies: ["FuzzKit"], path: "fuzz/FuzzXbstream"),
    .executableTarget(name: "FuzzXbcrypt", dependencies: ["FuzzKit"], path: "fuzz/FuzzXbcrypt"),
    .executableTarget(name: "FuzzXbcryptKeyed", dependencies: ["FuzzKit"], path: "fuzz/FuzzXbcryptKeyed"),
    .executableTarget(name: "FuzzQpress", dependencies: ["FuzzKit"], path: "fuzz/FuzzQpress"),
    .executableTarget(name: "FuzzQuickLZ", dependencies: ["FuzzKit"], path: "fuzz/FuzzQuickLZ"),
    .executableTarget(name: "FuzzGzip", dependencies: ["FuzzKit"], path: "fuzz/FuzzGzip"),
    .executableTarget(name: "FuzzTar", dependencies: ["FuzzKit"], path: "fuzz/FuzzTar"),
    .executableTarget(name: "FuzzZstd", dependencies: ["FuzzKit"], path: "fuzz/FuzzZstd"),
    .executableTarget(name: "FuzzLZ4", dependencies: ["FuzzKit"], path: "fuzz/FuzzLZ4"),
    .executableTarget(name: "FuzzVerify", dependencies: ["FuzzKit"], path: "fuzz/FuzzVerify"),
    .executableTarget(name: "FuzzVerifyKeyed", dependencies: ["FuzzKit"], path: "fuzz/FuzzVerifyKeyed"),
    .executableTarget(name: "FuzzCatalog", dependencies: ["FuzzKit"], path: "fuzz/FuzzCatalog"),
    .executableTarget(name: "FuzzPolicy", dependencies: ["FuzzKit"], path: "fuzz/FuzzPolicy"),
    .executableTarget(name: "FuzzReports", dependencies: ["FuzzKit"], path: "fuzz/FuzzReports"),
    .executableTarget(name: "FuzzAuditReports", dependencies: ["FuzzKit"], path: "fuzz/FuzzAuditReports"),
    .executableTarget(name: "xbbench", dependencies: ["Formats"], path: "Benchmarks/XbBench"),

    .target(name: "TestSupport", dependencies: ["Inspect", "Formats"], path: "Tests/TestSupport"),
    .testTarget(name: "FormatsTests", dependencies: ["Formats", "TestSupport"]),
    .testTarget(name: "InspectTests", dependencies: ["Inspect", "Formats", "TestSupport", "FuzzKit"]),
    .testTarget(name: "ReportTests", dependencies: ["Report", "Inspect", "CXML2", "TestSupport"]),
    .testTarget(name: "CommandTests", dependencies: ["xbinspect", "Inspect", "Report", "TestSupport"]),
  ]
)
