import Foundation

/// Thousands of distinct paid notifications signed with the fixture key,
/// made by `notifyd-bench corpus` (in-process signing on every core), for
/// tests that need real traffic rather than a handful of requests.
public enum SignedCorpus {
    /// `count` bodies, each a new trade with its own notify_id.
    public static func paid(count: Int, seed: UInt64 = 1) throws -> [String] {
        let bodies = try lines(count: count, seed: seed, repeats: false)
        guard bodies.count == count else { throw TestError("corpus has \(bodies.count) lines, expected \(count)") }
        return bodies
    }

    /// `count` new trades and, with `repeats`, what Alipay sends besides
    /// (the bench's default mix: byte-identical duplicates, re-signed
    /// retries, new notify_ids for paid trades, a few forgeries), shuffled.
    public static func lines(count: Int, seed: UInt64, repeats: Bool) throws -> [String] {
        let directory = TemporaryDirectory("signed-corpus")
        let bench = URL(fileURLWithPath: DaemonProcess.binary).deletingLastPathComponent().appendingPathComponent("notifyd-bench").path
        let file = directory.file("corpus.txt")
        let mix = repeats ? [] : ["--duplicates-fraction", "0", "--retry-fraction", "0", "--resend-fraction", "0", "--bad-sign-fraction", "0"]
        let result = try ChildProcess.run(bench, ["corpus", "--count", "\(count)", "--seed", "\(seed)"] + mix + [
            "--private-key", Fixtures.path(Fixtures.currentPrivateKey),
            "--app-id", Fixtures.config.app_id, "--seller-id", Fixtures.config.seller_id, "--out", file,
        ], timeout: 300)
        guard result.status == 0 else { throw TestError("notifyd-bench corpus failed: \(result.stderr)") }
        return try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// The same body with its notify_id replaced after signing: a forgery
    /// whose signature no longer matches.
    public static func forged(_ body: String, notifyID: String) -> String {
        body.replacing(/notify_id=[^&]*/, with: "notify_id=\(notifyID)")
    }
}
