import Foundation
// swift-tools-version: 6.1
import PackageDescription

/// Settings every target shares: Swift 6 with strict concurrency is the default language mode;
/// `ExistentialAny` keeps protocol existentials visible at the use site.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "davdoctor",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "davdoctor", targets: ["davdoctor"]),
        .library(name: "DAVCore", targets: ["DAVCore"]),
        .library(name: "Diagnosis", targets: ["Diagnosis"]),
        .library(name: "DAVServer", targets: ["DAVServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // zlib from the system, for gzip/deflate bodies in captures (Debian: zlib1g-dev).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "DAVCore", dependencies: ["CZlib"], swiftSettings: swiftSettings),
        // Transcripts of several exchanges (HAR, rclone, OkHttp, Cyberduck, davfs2 logs) read into exchanges; HAR written.
        .target(name: "Transcripts", dependencies: ["DAVCore"], swiftSettings: swiftSettings),
        .target(name: "Diagnosis", dependencies: ["DAVCore", "Transcripts"], swiftSettings: swiftSettings),
        .target(name: "Reports", dependencies: ["Diagnosis", "DAVCore"], swiftSettings: swiftSettings),
        .target(
            name: "DAVClient",
            dependencies: [
                "DAVCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "Checking", dependencies: ["DAVClient", "Diagnosis", "DAVCore", "Transcripts"], swiftSettings: swiftSettings),
        .target(
            name: "DAVServer",
            dependencies: [
                "DAVCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // davdoctor lab: scenarios reproduced on an in-process davdoctor serve. The YAML files are compiled in
        // (EmbeddedScenarios.swift, scripts/embed-scenarios.sh): an installed binary has no bundle beside it.
        .target(
            name: "Lab",
            dependencies: [
                "DAVCore", "DAVServer", "DAVClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Scenarios"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "davdoctor",
            dependencies: [
                "DAVCore", "Diagnosis", "Reports", "DAVClient", "Checking", "DAVServer", "Lab", "Transcripts",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["BuildCommit"]
        ),
        // `--version` names the commit built from (scripts/build-commit.sh; nil outside git).
        .plugin(name: "BuildCommit", capability: .buildTool()),
        // Test-only helpers shared by the test targets (fixtures, running the built binary).
        .target(name: "DAVTesting", dependencies: ["DAVCore"], path: "Sources/DAVTesting", swiftSettings: swiftSettings),
        .testTarget(name: "DAVCoreTests", dependencies: ["DAVCore", "DAVTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "DiagnosisTests", dependencies: ["Diagnosis", "DAVCore", "DAVTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "TranscriptsTests", dependencies: ["Transcripts", "Diagnosis", "DAVCore", "DAVTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "DAVClientTests", dependencies: ["DAVClient", "DAVCore", "DAVTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Diagnosis", "DAVCore", "DAVTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "DAVServerTests",
            dependencies: [
                "DAVServer", "DAVCore", "DAVTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // To spoil a stored row the way a hand edit or a failing disk would.
                .product(name: "GRDB", package: "GRDB.swift"),
                // To hold a PostgreSQL table lock from one more connection while an instance is killed.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "davdoctorTests", dependencies: ["DAVTesting"], exclude: ["Snapshots"], swiftSettings: swiftSettings),
    ]
)
