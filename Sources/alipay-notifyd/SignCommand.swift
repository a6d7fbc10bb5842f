import AlipayCrypto
import AlipayNotify
import ArgumentParser
import DaemonSettings
import NotifyDaemon

/// `alipay-notifyd sign`: makes signed notifications to replay with curl.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a notification body (or key=value lines) from stdin, as Alipay would.",
        discussion: """
            Input is either one form-encoded body (as Alipay sends it), or several lines of \
            'key=value' with plain text values. Old sign and sign_type are dropped; \
            --set KEY=VALUE replaces or adds a parameter. Prints the signed body, ready for \
            'curl --data-binary @-'. Only for tests and replays: it needs a private key, \
            which in production only Alipay holds.

            Example:
              printf 'notify_id=N1\\napp_id=2021000123456789\\nout_trade_no=ORDER0001\\ntrade_status=TRADE_SUCCESS\\ntotal_amount=88.88\\n' \\
                | alipay-notifyd sign --private-key test_private_key.pem \\
                | curl -s --data-binary @- http://127.0.0.1:8080/notify
            """
    )

    @Option(name: .customLong("private-key"), help: ArgumentHelp("PKCS#8 or PKCS#1 private key (PEM or bare base64).", valueName: "FILE"))
    var privateKey: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Replace or add a parameter (plain text value). Repeatable.", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(name: .customLong("sign-type"), help: ArgumentHelp("RSA2 (default) or RSA.", valueName: "TYPE"))
    var signType = "RSA2"

    func run() throws {
        guard let algorithm = SignatureAlgorithm(rawValue: signType) else {
            throw ValidationError("--sign-type must be RSA2 or RSA")
        }
        let key: RSAPrivateKey
        do {
            key = try RSAPrivateKey(bytes: FileReading.bytes(atPath: privateKey))
        } catch {
            StandardError.print("alipay-notifyd sign: key '\(privateKey)': \(error)")
            throw ExitCode(2)
        }
        var parsedOverrides: [(key: String, value: String)] = []
        for item in overrides {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw ValidationError("--set takes KEY=VALUE, got '\(item)'")
            }
            parsedOverrides.append((String(item[..<equals]), String(item[item.index(after: equals)...])))
        }
        let input = StandardInput.readBody()
        let lines = input.split(separator: UInt8(ascii: "\n")).map { line in
            line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        }.filter { !$0.isEmpty }
        let signer = NotificationSigner(key: key, algorithm: algorithm)
        let signed: [UInt8]
        do {
            if lines.count > 1 {
                var pairs: [(key: String, value: String)] = []
                for line in lines {
                    guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
                        throw ValidationError("line '\(String(decoding: line, as: UTF8.self))' is not key=value")
                    }
                    pairs.append((String(decoding: line[..<equals], as: UTF8.self),
                                  String(decoding: line[(equals + 1)...], as: UTF8.self)))
                }
                for (name, value) in parsedOverrides {
                    pairs.removeAll { $0.key == name }
                    pairs.append((name, value))
                }
                signed = try signer.sign(pairs: pairs)
            } else {
                signed = try signer.sign(body: input, overrides: parsedOverrides)
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            StandardError.print("alipay-notifyd sign: \(error)")
            throw ExitCode(1)
        }
        var output = String(decoding: signed, as: UTF8.self)
        if StandardInput.isTerminalOutput { output += "\n" }
        print(output, terminator: "")
    }
}
