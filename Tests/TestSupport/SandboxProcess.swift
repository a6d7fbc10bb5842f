import Foundation

/// The built `alipay-sandbox`, run as a real process on a port the kernel
/// picked: Alipay's gateway and notifications, played with the fixture
/// keys (Alipay's current key signs; the "next" key pair plays the app).
public final class SandboxProcess: @unchecked Sendable {
    public static var binary: String {
        URL(fileURLWithPath: DaemonProcess.binary).deletingLastPathComponent().appendingPathComponent("alipay-sandbox").path
    }

    /// The app's private key that the sandbox's `--app-public-key` matches.
    public static let appPrivateKey = Fixtures.path(Fixtures.nextPrivateKey)

    public let process: SpawnedProcess
    public private(set) var port: UInt16 = 0
    private let output = LockedText()

    public init(extra: [String] = []) throws {
        let arguments = ["serve", "--listen", "127.0.0.1:0", "--alipay-private-key", Fixtures.path(Fixtures.currentPrivateKey),
                         "--app-public-key", Fixtures.path(Fixtures.nextPublicKeyPEM), "--app-id", Fixtures.config.app_id,
                         "--seller-id", Fixtures.config.seller_id] + extra
        process = try SpawnedProcess([Self.binary] + arguments, output: .mergedPipe)
        output.follow(process.standardOutput!)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let match = output.text.firstMatch(of: /gateway http:\/\/127\.0\.0\.1:(\d+)\//), let port = UInt16(match.1) {
                self.port = port
                return
            }
            if !process.isRunning { break }
            usleep(10_000)
        }
        stop()
        throw TestError("the sandbox did not start; its output:\n\(output.text)")
    }

    deinit { stop() }

    public var url: String { "http://127.0.0.1:\(port)" }
    public var gatewayURL: String { url + "/gateway.do" }
    public var log: String { output.text }

    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitOrKill(seconds: 10)
    }

    /// A daemon configuration file in `directory` that asks this sandbox
    /// (the fixture keys and app id, the ledger beside it), plus `extra`
    /// lines of other settings. Returns its path.
    public func daemonConfiguration(_ directory: TemporaryDirectory, _ extra: [String] = []) throws -> String {
        let path = directory.file("sandbox.conf")
        let lines = ["db = \(directory.file("ledger.db"))", "alipay-public-key = \(Fixtures.path(Fixtures.currentPublicKeyPEM))",
                     "app-id = \(Fixtures.config.app_id)", "app-private-key = \(Self.appPrivateKey)", "alipay-gateway = \(gatewayURL)"]
        try (lines + extra).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs an `alipay-sandbox` control command against this sandbox.
    @discardableResult
    public func command(_ arguments: [String]) throws -> ProcessResult {
        let result = try ChildProcess.run(Self.binary, arguments + ["--sandbox", url])
        guard result.status == 0 else { throw TestError("alipay-sandbox \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result
    }
}

extension SandboxProcess {
    /// One gateway call the sandbox answered.
    public struct AnsweredCall: Sendable, Equatable {
        public let method: String
        public let outTradeNo: String?
        public let code: String
        public let fault: String?
        /// When the request arrived, in seconds since 1970.
        public let receivedAt: Double
    }

    /// The calls the sandbox answered, oldest first; for one trade when given.
    public func calls(_ outTradeNo: String? = nil) throws -> [AnsweredCall] {
        let listed = try command(["calls"] + (outTradeNo.map { ["--out-trade-no", $0] } ?? []))
        guard let object = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any],
              let calls = object["calls"] as? [[String: Any]] else { throw TestError("alipay-sandbox calls printed \(listed.stdout)") }
        return calls.map { call in
            AnsweredCall(method: call["method"] as? String ?? "", outTradeNo: call["out_trade_no"] as? String,
                         code: call["code"] as? String ?? "", fault: call["fault"] as? String,
                         receivedAt: Double((call["received_at_us"] as? NSNumber)?.int64Value ?? 0) / 1_000_000)
        }
    }

    /// How many calls of `method` about `outTradeNo` the sandbox answered.
    public func count(_ method: String, _ outTradeNo: String) throws -> Int {
        try calls(outTradeNo).filter { $0.method == method }.count
    }
}
