// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "durable-streams-swift",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "DSProtocol", targets: ["DSProtocol"]),
        .library(name: "DSCursor", targets: ["DSCursor"]),
        .library(name: "DSPathEncoding", targets: ["DSPathEncoding"]),
        .library(name: "DSStore", targets: ["DSStore"]),
        .library(name: "DSFileStore", targets: ["DSFileStore"]),
        .library(name: "DSServer", targets: ["DSServer"]),
        .executable(name: "durable-streams-server", targets: ["durable-streams-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(
            name: "CZlib",
            path: "Packages/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CLMDB",
            path: "Packages/CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),

        // MARK: Libraries
        .target(
            name: "DSProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            path: "Packages/DSProtocol",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DSCursor",
            path: "Packages/DSCursor",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DSPathEncoding",
            path: "Packages/DSPathEncoding",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DSStore",
            dependencies: [
                "DSProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Packages/DSStore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DSFileStore",
            dependencies: [
                "DSProtocol",
                "DSStore",
                "DSPathEncoding",
                "CLMDB",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Packages/DSFileStore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DSServer",
            dependencies: [
                "DSProtocol",
                "DSCursor",
                "DSStore",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Packages/DSServer",
            swiftSettings: swiftSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "durable-streams-server",
            dependencies: [
                "DSServer",
                "DSStore",
                "DSFileStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tools/durable-streams-server",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .target(
            name: "DSTestSupport",
            dependencies: [
                "DSServer",
                "DSStore",
                "DSFileStore",
                "DSProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/DSTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DSProtocolTests",
            dependencies: ["DSProtocol"],
            path: "Tests/DSProtocolTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DSCursorTests",
            dependencies: ["DSCursor"],
            path: "Tests/DSCursorTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DSPathEncodingTests",
            dependencies: ["DSPathEncoding"],
            path: "Tests/DSPathEncodingTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DSFileStoreTests",
            dependencies: [
                "DSFileStore",
                "DSPathEncoding",
                "DSServer",
                "DSStore",
                "DSProtocol",
                "DSTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/DSFileStoreTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DSServerTests",
            dependencies: [
                "DSServer",
                "DSStore",
                "DSProtocol",
                "DSTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/DSServerTests",
            swiftSettings: swiftSettings
        ),
    ]
)
