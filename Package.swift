// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// Where `tools/setup` installs llama.cpp. The built `retrace` gets this as its rpath,
/// so it runs without LD_LIBRARY_PATH.
let retraceHome = ProcessInfo.processInfo.environment["RETRACE_HOME"]
    ?? (ProcessInfo.processInfo.environment["HOME"] ?? "/root") + "/.local/share/retrace"
let llamaLib = retraceHome + "/llama/lib"

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Retrace",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "retrace", targets: ["retrace"]),
        .library(name: "RetraceCore", targets: ["RetraceCore"]),
        .library(name: "RetraceLMDB", targets: ["RetraceLMDB"]),
        .library(name: "RetraceIndex", targets: ["RetraceIndex"]),
        .library(name: "RetraceStats", targets: ["RetraceStats"]),
        .library(name: "RetraceLlama", targets: ["RetraceLlama"]),
        .library(name: "RetraceSpeculation", targets: ["RetraceSpeculation"]),
        .library(name: "RetraceEngine", targets: ["RetraceEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // C shims
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CLlama", pkgConfig: "llama"),
        // Tiny inline C helpers Swift has no spelling for (cache prefetch).
        .target(name: "CRetraceSupport"),

        // Pure shared vocabulary: token ids, tokenizer protocol, fingerprints. No I/O.
        .target(name: "RetraceCore", dependencies: ["CRetraceSupport"], swiftSettings: swiftSettings),
        // Safe Swift wrapper over liblmdb.
        .target(name: "RetraceLMDB", dependencies: ["CLMDB"], swiftSettings: swiftSettings),
        // Persistent token index: token store, suffix array, dynamic store, queries.
        .target(
            name: "RetraceIndex",
            dependencies: [
                "RetraceCore", "RetraceLMDB", "CRetraceSupport",
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // Pure speculative-decoding logic: draft trees, drafters, verification, tree sizing.
        .target(name: "RetraceSpeculation", dependencies: ["RetraceCore"], swiftSettings: swiftSettings),
        // The decoding loop: target model, drafter, verifier, statistics.
        .target(
            name: "RetraceEngine",
            dependencies: ["RetraceCore", "RetraceSpeculation", "RetraceIndex", "RetraceLlama", "RetraceStats"],
            swiftSettings: swiftSettings
        ),
        // Session and step statistics in SQLite.
        .target(
            name: "RetraceStats",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // llama.cpp backend (tokenizer now; target and draft models later).
        .target(
            name: "RetraceLlama",
            dependencies: ["RetraceCore", "CLlama"],
            swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", llamaLib])]
        ),
        .executableTarget(
            name: "retrace",
            dependencies: [
                "RetraceCore", "RetraceIndex", "RetraceStats", "RetraceLlama", "RetraceSpeculation", "RetraceEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            linkerSettings: [.unsafeFlags(["-Xlinker", "-rpath", "-Xlinker", llamaLib])]
        ),

        .target(name: "RetraceTestSupport", dependencies: ["RetraceCore"], path: "Tests/RetraceTestSupport"),
        .testTarget(name: "RetraceLMDBTests", dependencies: ["RetraceLMDB"]),
        .testTarget(name: "RetraceIndexTests", dependencies: ["RetraceIndex", "RetraceTestSupport"]),
        .testTarget(name: "RetraceStatsTests", dependencies: ["RetraceStats"]),
        .testTarget(name: "RetraceLlamaTests", dependencies: ["RetraceLlama", "RetraceTestSupport"]),
        .testTarget(name: "RetraceSpeculationTests", dependencies: ["RetraceSpeculation", "RetraceCore"]),
        .testTarget(name: "RetraceEngineTests", dependencies: ["RetraceEngine", "RetraceTestSupport"]),
        .testTarget(name: "RetraceCLITests", dependencies: ["RetraceIndex", "RetraceStats", "RetraceTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
