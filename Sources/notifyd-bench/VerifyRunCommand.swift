import AlipayCrypto
import AlipayNotify
import ArgumentParser
import Dispatch
import Foundation

/// `notifyd-bench verify`: the cost of checking one notification on one
/// thread, split into its parts, to compare with `openssl speed rsa2048`.
struct VerifyRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Time form decoding, the canonical string and RSA2 verification of one body, on one thread."
    )

    @Option(help: "A file whose first line is a signed body.")
    var corpus: String

    @Option(name: .customLong("alipay-public-key"), help: "The public key the corpus is signed for.")
    var publicKey: String

    @Option(help: "Iterations.")
    var count = 20_000

    func run() throws {
        let line = try String(contentsOfFile: corpus, encoding: .utf8).split(separator: "\n").first ?? ""
        let body = Array(line.utf8)
        let key = try RSAPublicKey(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: publicKey))))
        let verifier = NotificationVerifier(keys: [key])
        let fields = try FormFields(body: body)
        let content = fields.signedContent
        let signature = Base64.decode(fields.bytes("sign")!)!

        func time(_ name: String, _ body: () throws -> Void) rethrows {
            let started = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<count { try body() }
            let micros = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e3 / Double(count)
            print(String(format: "%-28@ %7.2f µs", name as NSString, micros))
        }
        try time("form decoding") { _ = try FormFields(body: body) }
        time("canonical string") { _ = fields.signedContent }
        time("typed notification") { _ = try? Notification(fields: fields) }
        time("RSA2 verify (EVP)") { precondition(RSAVerifier.isValid(signature: signature, of: content, key: key, algorithm: .rsa2)) }
        time("whole body") {
            guard case .success = verifier.verify(body: body) else { fatalError("the corpus line does not verify") }
        }
    }
}
