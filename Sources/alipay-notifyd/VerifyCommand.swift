import AlipayCrypto
import AlipayNotify
import ArgumentParser
import DaemonSettings
import NotifyDaemon

/// `alipay-notifyd verify`: the tool a person reaches for when a signature fails.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check one raw notification body (on stdin) against Alipay's public key.",
        discussion: """
            Prints the canonical string that was verified (every parameter except sign and \
            sign_type, empty values skipped, sorted by key, form-decoded once, in the body's \
            charset) and the verdict with its reason. Exits 0 when the signature is valid, \
            1 when it is not. Trailing newlines on stdin are ignored.

            Example:
              alipay-notifyd verify --alipay-public-key alipay_public_key.pem < body.txt
            """
    )

    @Option(name: .customLong("alipay-public-key"),
            help: ArgumentHelp("Alipay's public key (PEM, bare base64, or certificate). Repeatable.", valueName: "FILE"))
    var alipayPublicKeys: [String]

    @Flag(name: .customLong("legacy-rsa"), help: "Also accept sign_type=RSA (SHA1withRSA).")
    var legacyRSA = false

    func validate() throws {
        if alipayPublicKeys.isEmpty { throw ValidationError("give Alipay's public key with --alipay-public-key FILE") }
    }

    func run() throws {
        var keys: [RSAPublicKey] = []
        for path in alipayPublicKeys {
            do {
                keys.append(try RSAPublicKey(bytes: FileReading.bytes(atPath: path)))
            } catch {
                StandardError.print("alipay-notifyd verify: key '\(path)': \(error)")
                throw ExitCode(2)
            }
        }
        let body = StandardInput.readBody()
        let fields: FormFields
        do {
            fields = try FormFields(body: body)
        } catch {
            print("verdict: INVALID: the body is not a valid form: \(error)")
            throw ExitCode(1)
        }
        print("charset: \(fields.charset.rawValue)")
        print("canonical string:")
        print(fields.signedContentText)
        switch NotificationVerifier(keys: keys, allowsLegacyRSA: legacyRSA).verify(fields: fields) {
        case .success(let verified):
            let key = keys[verified.keyIndex]
            print("verdict: valid (\(verified.algorithm.rawValue), key \(verified.keyIndex + 1): \(key))")
            for name in ["notify_id", "app_id", "out_trade_no", "trade_status", "total_amount", "refund_fee"] {
                if let value = fields.nonEmptyString(name) { print("  \(name) = \(value)") }
            }
        case .failure(let failure):
            print("verdict: INVALID (\(failure.code)): \(failure)")
            throw ExitCode(1)
        }
    }
}
