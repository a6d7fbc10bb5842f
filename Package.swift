// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "alipay-notifyd",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "alipay-notifyd", targets: ["alipay-notifyd"]),
        .executable(name: "alipay-sandbox", targets: ["alipay-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries, each with a small shim header for what Swift cannot import.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // epoll, eventfd and socket options that the Glibc module does not export.
        .systemLibrary(name: "CLinux"),
        // libFuzzer's driver entry; linked only by fuzzing builds (scripts/fuzz.sh).
        .systemLibrary(name: "CLibFuzzer"),

        // A lock ThreadSanitizer can see (pthread), for every module.
        .target(name: "Locking"),
        // The one system-call wrapper (EINTR retried, EAGAIN a value, errors naming the
        // operation and errno), the monotonic clock and Duration conversions.
        .target(name: "SystemSupport", dependencies: ["CLinux"]),
        // Byte-level text helpers (hex digits) shared by the domain and the HTTP parser; pure.
        .target(name: "ASCII"),
        // Pure domain: form decoding, canonical string, money, the trade state machine.
        .target(name: "AlipayNotify", dependencies: ["ASCII"]),
        // RSA2 verification (and signing for tools and tests) over OpenSSL EVP.
        .target(name: "AlipayCrypto", dependencies: ["COpenSSL", "AlipayNotify"]),
        // Calls to Alipay's OpenAPI gateway as bytes and signatures: signed requests, verified answers; pure.
        .target(name: "AlipayOpenAPI", dependencies: ["ASCII", "AlipayNotify", "AlipayCrypto"]),
        // A small HTTP/1.1 server on epoll; knows nothing of Alipay.
        .target(name: "HTTPServer", dependencies: ["ASCII", "CLinux", "Locking", "SystemSupport", .product(name: "Logging", package: "swift-log")]),
        // The transactional ledger, whatever the database: business rules, the
        // observation recorder, statements written once, the roles of a store,
        // migrations, and the group-commit writer.
        .target(
            name: "Ledger",
            dependencies: ["AlipayNotify", "CLinux", "Locking", .product(name: "Logging", package: "swift-log")]
        ),
        // The embedded ledger: one SQLite file (WAL, explicit fdatasync, checkpoints).
        .target(name: "SQLiteLedger", dependencies: ["Ledger", "AlipayNotify", "CSQLite", "CLinux", "SystemSupport"]),
        // The shared ledger: a PostgreSQL database several daemons write at once.
        .target(name: "PostgresLedger", dependencies: ["Ledger", "AlipayNotify", "CLibPQ"]),
        // The one HTTP client over libcurl: TLS verified, handles from a pool, concurrent
        // requests, every failure classified; each caller's policy is a layer on top.
        .target(name: "HTTPClient", dependencies: ["CCurl", "Locking", "SystemSupport"]),
        // Alipay's OpenAPI gateway over the HTTP client: https (or loopback http), a form
        // body, a 1 MiB cap, every failure an unknown result.
        .target(name: "GatewayTransport", dependencies: ["HTTPClient"]),
        // Threads for background work: claiming workers (claims with leases, renewed) and a
        // bounded pool for blocking work a request starts.
        .target(name: "Workers", dependencies: ["CLinux", "SystemSupport", .product(name: "Logging", package: "swift-log")]),
        // The outbox dispatcher and its sinks (HTTP, exec).
        .target(
            name: "Outbox",
            dependencies: ["AlipayNotify", "Ledger", "HTTPClient", "Workers", "CLinux", "SystemSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // What the daemon counts and how it logs: metrics, histograms, Prometheus text, log lines.
        .target(
            name: "Observability",
            dependencies: ["AlipayNotify", "HTTPServer", "Ledger", "Outbox", "CLinux", "Locking", "SystemSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // The active side: calls to Alipay (client, turns, pacing), reconciliation, refunds,
        // payment serials, order expiry; pure policies and the steps that record what they decide.
        .target(
            name: "ActiveSide",
            dependencies: [
                "AlipayNotify", "AlipayCrypto", "AlipayOpenAPI", "GatewayTransport", "Ledger", "Observability", "Locking", "SystemSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Settings and the config file: one declaration per setting drives the parser, the flags,
        // --help, check-config and the README table.
        .target(
            name: "DaemonSettings",
            dependencies: ["ActiveSide", "Observability", "GatewayTransport", "HTTPClient", "HTTPServer", "Ledger", "Outbox", "SystemSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // The admin listener: its routes in one table, JSON documents, health and metrics.
        .target(
            name: "AdminAPI",
            dependencies: [
                "ActiveSide", "AlipayNotify", "Observability", "HTTPServer", "Ledger", "Outbox", "Workers", "CLinux", "Locking", "SystemSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The daemon's wiring: the notification pipeline, the lifecycle, signals, systemd.
        .target(
            name: "NotifyDaemon",
            dependencies: [
                "ActiveSide", "AdminAPI", "DaemonSettings", "Observability",
                "AlipayNotify", "AlipayCrypto", "AlipayOpenAPI", "GatewayTransport", "HTTPServer", "Ledger", "SQLiteLedger", "PostgresLedger",
                "Outbox", "Workers", "CLinux", "Locking", "SystemSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "alipay-notifyd",
            dependencies: [
                "NotifyDaemon", "ActiveSide", "AdminAPI", "DaemonSettings", "Observability",
                "AlipayNotify", "AlipayCrypto", "AlipayOpenAPI", "Ledger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The benchmark's own tools: a signed corpus, a ledger check, a ledger-only run.
        .executableTarget(
            name: "notifyd-bench",
            dependencies: [
                "AlipayNotify", "AlipayCrypto", "Ledger", "SQLiteLedger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // A local Alipay: the gateway's answers, a trade book, faults, and
        // notifications on Alipay's schedule; for tests and integration work.
        .target(name: "AlipaySandbox", dependencies: ["AlipayNotify", "AlipayCrypto", "HTTPServer", "Locking"]),
        .executableTarget(
            name: "alipay-sandbox",
            dependencies: [
                "AlipaySandbox", "AlipayNotify", "AlipayCrypto", "HTTPClient", "HTTPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The properties the fuzzers search to break, and the program that runs them.
        .target(name: "FuzzChecks", dependencies: ["AlipayNotify", "AlipayCrypto", "AlipayOpenAPI", "HTTPServer", "DaemonSettings"]),
        .executableTarget(name: "notifyd-fuzz", dependencies: ["FuzzChecks", "CLibFuzzer"]),

        // Shared helpers for the test suites: fixture paths, child processes, curl.
        .target(
            name: "TestSupport",
            dependencies: ["HTTPServer", "CLinux", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "ASCIITests", dependencies: ["ASCII"]),
        .testTarget(name: "SystemSupportTests", dependencies: ["SystemSupport", "CLinux"]),
        .testTarget(name: "AlipayNotifyTests", dependencies: ["AlipayNotify", "TestSupport"]),
        .testTarget(name: "AlipayCryptoTests", dependencies: ["AlipayCrypto", "AlipayNotify", "TestSupport"]),
        .testTarget(name: "AlipayOpenAPITests", dependencies: ["AlipayOpenAPI", "AlipayCrypto", "AlipayNotify", "TestSupport"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "HTTPServer", "TestSupport"]),
        .testTarget(name: "GatewayTransportTests", dependencies: ["GatewayTransport", "HTTPClient", "HTTPServer", "TestSupport"]),
        .testTarget(
            name: "LedgerTests",
            dependencies: ["Ledger", "SQLiteLedger", "PostgresLedger", "AlipayNotify", "Locking", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "WorkersTests", dependencies: ["Workers", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "OutboxTests",
            dependencies: ["Outbox", "Ledger", "SQLiteLedger", "AlipayNotify", "HTTPServer", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "AdminAPITests", dependencies: ["AdminAPI", "HTTPServer"]),
        .testTarget(
            name: "ActiveSideTests",
            dependencies: ["ActiveSide", "AlipayCrypto", "AlipayNotify", "AlipayOpenAPI", "AlipaySandbox", "GatewayTransport", "HTTPClient",
                           "Ledger", "Observability", "SQLiteLedger", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "DaemonSettingsTests",
            dependencies: ["DaemonSettings", "NotifyDaemon", "ActiveSide", "AlipayCrypto", "AlipayNotify", "Ledger", "SystemSupport", "TestSupport"]
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "NotifyDaemon", "DaemonSettings", "Observability"]),
        .testTarget(name: "AlipaySandboxTests", dependencies: ["AlipaySandbox", "AlipayCrypto", "AlipayNotify", "TestSupport"]),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzChecks", "AlipayCrypto", "AlipayNotify", "AlipayOpenAPI", "DaemonSettings", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
