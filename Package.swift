// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "statehouse",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "statehouse", targets: ["statehouse"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    ],
    targets: [
        // C boundaries: module maps only.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(name: "CEpoll"),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // Small helpers every layer shares, package-visible: syscalls with EINTR, threads, base64,
        // hex, duration conversions, JSON string literals, OpenSSL's error text.
        .target(name: "SystemSupport", dependencies: ["COpenSSL"]),

        // The hand-written HTTP/1.1 server. Knows nothing about Terraform.
        .target(
            name: "HTTPServer",
            dependencies: [
                "CEpoll", "COpenSSL", "SystemSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),

        // gzip over zlib: state blobs are stored and served compressed.
        .target(name: "Gzip", dependencies: ["CZlib"]),

        // The management API's request and response documents, shared by the server and the CLI.
        .target(name: "APITypes"),

        // The hexagon: pure domain values and rules.
        .target(name: "Domain"),

        // Use cases and the ports they talk through.
        .target(
            name: "Application",
            dependencies: [
                "Domain", "Gzip", "SystemSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Driven adapters, one per technology.
        .target(name: "InMemoryStore", dependencies: ["Application", "Domain"]),
        // What the two SQL adapters share: the role ports' SQL, row mapping, migrations.
        .target(name: "SQLStoreSupport", dependencies: ["Application", "Domain"]),
        .target(
            name: "PostgresStore",
            dependencies: [
                "Application", "Domain", "CLibPQ", "SQLStoreSupport", "SystemSupport",
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "SQLiteStore",
            dependencies: [
                "Application", "Domain", "CSQLite", "SQLStoreSupport", "SystemSupport",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PasswordAuth",
            dependencies: [
                "Application", "Domain", "SystemSupport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),

        // Compiles docs/openapi.json into WebAPI (a build tool and its plugin; never shipped).
        .executableTarget(name: "EmbedText"),
        .plugin(
            name: "EmbedOpenAPIDocument", capability: .buildTool(), dependencies: ["EmbedText"],
            path: "Plugins/EmbedText"),

        // Backups (`statehouse export` / `import`): their files in a directory, owner-only, no links followed.
        .target(name: "BackupDirectory", dependencies: ["Application", "SystemSupport"]),

        // Driving adapter: routes, auth, error mapping.
        .target(
            name: "WebAPI",
            dependencies: [
                "APITypes",
                "Application",
                "Domain",
                "HTTPServer",
                "SystemSupport",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedOpenAPIDocument"]
        ),

        // Compiles Sources/WebUI/Assets (templates, style sheet, script) into WebUI.
        .plugin(
            name: "EmbedWebAssets", capability: .buildTool(), dependencies: ["EmbedText"],
            path: "Plugins/EmbedWebAssets"),

        // Driving adapter: the web pages under /ui/ for people, over the same use cases as the API.
        .target(
            name: "WebUI",
            dependencies: [
                "Application", "Domain", "Gzip", "HTTPServer", "SystemSupport",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Assets"],
            plugins: ["EmbedWebAssets"]
        ),

        // The S3-compatible endpoint: path-style S3 over the same use cases, AWS Signature Version 4.
        .target(
            name: "S3API",
            dependencies: [
                "Application",
                "Domain",
                "Gzip",
                "HTTPServer",
                "SystemSupport",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // A blocking HTTP/1.1 client transport over POSIX sockets and OpenSSL (TLS with certificate and
        // host name verification), shared by the CLI and the OIDC key fetcher.
        .target(name: "HTTPTransport", dependencies: ["COpenSSL", "SystemSupport"]),

        // OIDC workload identity: verifies CI jobs' ID tokens (JWTs) against their issuers' keys.
        .target(
            name: "WorkloadIdentity",
            dependencies: [
                "Application", "Domain", "HTTPTransport", "SystemSupport",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The management API client behind `statehouse states|locks|unlock|…`.
        .target(
            name: "StatehouseCLI",
            dependencies: [
                "APITypes", "HTTPTransport", "SystemSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Composition root: configuration, CLI, wiring.
        .executableTarget(
            name: "statehouse",
            dependencies: [
                "Application",
                "BackupDirectory",
                "CLibPQ",
                "CMalloc",
                "CZlib",
                "Domain",
                "HTTPServer",
                "InMemoryStore",
                "PasswordAuth",
                "PostgresStore",
                "S3API",
                "SQLiteStore",
                "StatehouseCLI",
                "SystemSupport",
                "WebAPI",
                "WebUI",
                "WorkloadIdentity",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            // TOMLKit imports Foundation, which would otherwise lend its String methods to this
            // target silently, and with them ICU's 34 MB of data to the binary.
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),

        // Benchmark fixture for bench/run: files from memory through HTTPServer. Not shipped.
        .executableTarget(
            name: "BenchServer",
            dependencies: ["HTTPServer", .product(name: "Logging", package: "swift-log")]
        ),

        // Fuzz targets for libFuzzer (scripts/fuzz; never shipped): the parsers' properties in Fuzzing,
        // one executable each. Without -DLIBFUZZER they replay the files named on their command line.
        .systemLibrary(name: "CLibFuzzer"),
        .target(name: "Fuzzing", dependencies: ["CLibFuzzer", "Domain", "HTTPServer", "SystemSupport"]),
        .executableTarget(name: "FuzzRequestParser", dependencies: ["Fuzzing"]),
        .executableTarget(name: "FuzzStateHeader", dependencies: ["Fuzzing"]),
        .executableTarget(name: "FuzzLockInfo", dependencies: ["Fuzzing"]),

        // A raw-socket HTTP client and other helpers shared by the test targets; never shipped.
        .target(
            name: "HTTPTestSupport", dependencies: ["Gzip", "HTTPServer", "SystemSupport"],
            path: "Tests/HTTPTestSupport"),

        .testTarget(name: "DomainTests", dependencies: ["Domain"]),
        .testTarget(name: "FuzzingTests", dependencies: ["Fuzzing"]),
        .testTarget(name: "GzipTests", dependencies: ["Gzip"]),
        .testTarget(
            name: "ApplicationTests",
            dependencies: ["Application", "Domain", "InMemoryStore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "PasswordAuthTests", dependencies: ["PasswordAuth", "Domain"]),
        .testTarget(name: "SystemSupportTests", dependencies: ["SystemSupport"]),
        .testTarget(
            name: "StoreContractTests",
            dependencies: [
                "Application", "BackupDirectory", "Domain", "Gzip", "HTTPServer", "HTTPTestSupport", "InMemoryStore",
                "PasswordAuth",
                "PostgresStore", "SQLiteStore", "SQLStoreSupport", "SystemSupport", "WebAPI", "statehouse",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: [
                "HTTPServer", "HTTPTestSupport", .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "WebAPITests",
            dependencies: [
                "WebAPI", "HTTPServer", "HTTPTestSupport", "Application", "Domain", "Gzip", "InMemoryStore",
                "statehouse",
                "PasswordAuth", "SystemSupport", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "S3APITests",
            dependencies: [
                "S3API", "HTTPServer", "Application", "Domain", "InMemoryStore", "PasswordAuth", "SystemSupport",
                "WebAPI", "statehouse", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "WebUITests",
            dependencies: [
                "WebUI", "WebAPI", "HTTPServer", "HTTPTestSupport", "Application", "Domain", "InMemoryStore",
                "PasswordAuth", "SystemSupport", "statehouse",
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Application", "Domain", "Gzip", "HTTPServer", "HTTPTestSupport", "PasswordAuth", "PostgresStore",
                "SQLiteStore", "SystemSupport", .product(name: "Logging", package: "swift-log"),
                // The S3 tests sign their requests with S3API's SigV4.
                "S3API", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "StatehouseCLITests",
            dependencies: ["StatehouseCLI", "HTTPServer", "HTTPTestSupport", "HTTPTransport"]
        ),
        .testTarget(
            name: "WorkloadIdentityTests",
            dependencies: [
                "WorkloadIdentity", "Application", "Domain", "HTTPServer", "HTTPTestSupport", "PasswordAuth",
                "SystemSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "StatehouseTests",
            dependencies: [
                "statehouse", "Application", "Domain", "HTTPServer", "HTTPTestSupport", "InMemoryStore", "PasswordAuth",
                "SystemSupport", "WorkloadIdentity", .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
