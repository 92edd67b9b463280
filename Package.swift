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
        .library(name: "DSRegistry", targets: ["DSRegistry"]),
        .library(name: "DSSubscriptions", targets: ["DSSubscriptions"]),
        .library(name: "DSConformance", targets: ["DSConformance"]),
        .library(name: "DSClient", targets: ["DSClient"]),
        .executable(name: "durable-stream", targets: ["durable-stream"]),
        .executable(name: "durable-streams-server", targets: ["durable-streams-server"]),
        .executable(name: "durable-streams-bench", targets: ["durable-streams-bench"]),
        .executable(name: "durable-streams-conformance", targets: ["durable-streams-conformance"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
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
                .product(name: "CoreMetrics", package: "swift-metrics"),
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
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Packages/DSServer",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DSConformance",
            dependencies: [
                "DSProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Packages/DSConformance",
            swiftSettings: swiftSettings
        ),

        .target(
            name: "DSRegistry",
            dependencies: [
                "DSProtocol",
                "DSStore",
                "DSServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Packages/DSRegistry",
            swiftSettings: swiftSettings
        ),

        .target(
            name: "DSSubscriptions",
            dependencies: [
                "DSProtocol",
                "DSStore",
                "DSServer",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Packages/DSSubscriptions",
            swiftSettings: swiftSettings
        ),

        .target(
            name: "DSClient",
            dependencies: [
                "DSProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Packages/DSClient",
            swiftSettings: swiftSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "durable-stream",
            dependencies: [
                "DSClient",
                "DSProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tools/durable-stream",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "durable-streams-server",
            dependencies: [
                "DSServer",
                "DSStore",
                "DSRegistry",
                "DSSubscriptions",
                "DSFileStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tools/durable-streams-server",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "durable-streams-conformance",
            dependencies: [
                "DSConformance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/durable-streams-conformance",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "durable-streams-bench",
            dependencies: [
                "DSBenchKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Tools/durable-streams-bench",
            swiftSettings: swiftSettings
        ),
        // The benchmark's load generator and scenarios; internal to this package (no product).
        // epoll, eventfd and timestamped reads for the benchmark's live readers (headers only, nothing to link).
        .systemLibrary(
            name: "CBenchSockets",
            path: "Tools/CBenchSockets"
        ),
        .target(
            name: "DSBenchKit",
            dependencies: [
                "CBenchSockets",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Tools/DSBenchKit",
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
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
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
            name: "DSRegistryTests",
            dependencies: ["DSRegistry", "DSServer", "DSStore", "DSTestSupport"],
            path: "Tests/DSRegistryTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerExecutableTests",
            dependencies: [
                "durable-streams-server",
                "DSTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/ServerExecutableTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DSClientTests",
            dependencies: [
                "DSClient",
                "DSProtocol",
                "DSServer",
                "DSStore",
                "DSTestSupport",
                "durable-stream",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/DSClientTests",
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
                "DSCursor",
                "DSServer",
                "DSStore",
                "DSProtocol",
                "DSTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Tests/DSServerTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DSSubscriptionsTests",
            dependencies: [
                "DSSubscriptions",
                "DSServer",
                "DSStore",
                "DSProtocol",
                "DSTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Tests/DSSubscriptionsTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DSConformanceTests",
            dependencies: [
                "DSConformance",
                "DSTestSupport",
            ],
            path: "Tests/DSConformanceTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DSBenchTests",
            dependencies: [
                "DSBenchKit",
                "DSTestSupport",
                "DSServer",
                "DSStore",
            ],
            path: "Tests/DSBenchTests",
            swiftSettings: swiftSettings
        ),
    ]
)
