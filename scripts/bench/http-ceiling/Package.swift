// swift-tools-version: 6.0
// Minimal HTTP/1.1 servers for run.sh (see README.md). Not part of the davdoctor package.
import PackageDescription

let package = Package(
    name: "http-ceiling",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        .executableTarget(name: "nio-plain", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .executableTarget(name: "hb-plain", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .executableTarget(name: "hb-file", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .executableTarget(name: "hb-put", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
    ]
)
