import AlipayCrypto
import AlipaySandbox
import ArgumentParser
import Foundation
import HTTPServer
import Logging

/// `alipay-sandbox serve`: the gateway and the control API on one listener.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer gateway.do as Alipay would, with a control API under /sandbox/."
    )

    @Option(help: ArgumentHelp("Address to listen on (loopback unless you mean it).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8090"

    @Option(name: .customLong("alipay-private-key"), help: ArgumentHelp("The key that plays Alipay's: signs answers and notifications.", valueName: "FILE"))
    var alipayPrivateKey: String

    @Option(name: .customLong("app-public-key"), help: ArgumentHelp("The merchant app's public key: every request's signature is checked with it.", valueName: "FILE"))
    var appPublicKey: String

    @Option(name: .customLong("app-id"), help: ArgumentHelp("The one app_id accepted.", valueName: "ID"))
    var appID: String

    @Option(name: .customLong("seller-id"), help: ArgumentHelp("The seller_id notifications carry.", valueName: "ID"))
    var sellerID = "2088000000000001"

    @Option(name: .customLong("timestamp-tolerance"), help: ArgumentHelp("Refuse requests whose timestamp is further than this from the sandbox's clock.", valueName: "SECONDS"))
    var timestampTolerance: Int64 = 900

    @Option(name: .customLong("clock-offset"), help: ArgumentHelp("Play an Alipay whose clock is this far ahead (negative: behind), to see a client's clock problem.", valueName: "SECONDS"))
    var clockOffset: Int64 = 0

    @Option(name: .customLong("app-cert-sn"), help: ArgumentHelp("Certificate mode: refuse requests whose app_cert_sn is not this.", valueName: "SN"))
    var appCertSN: String?

    @Option(name: .customLong("alipay-root-cert-sn"), help: ArgumentHelp("Certificate mode: refuse requests whose alipay_root_cert_sn is not this.", valueName: "SN"))
    var alipayRootCertSN: String?

    @Option(help: ArgumentHelp("Answer every gateway call this long after it came, as an Alipay across the network does.", valueName: "SECONDS"))
    var latency: Double = 0

    @Option(name: .customLong("alipay-cert"), help: ArgumentHelp("Certificate mode: the certificate of --alipay-private-key's public key; answers name its SN in alipay_cert_sn and alipay.open.app.alipaycert.download hands it out.", valueName: "FILE"))
    var alipayCert: String?

    @Option(name: .customLong("rotate-cert-after"), help: ArgumentHelp("Play Alipay rotating its key (and certificate): after this many signed gateway answers, sign with --next-alipay-private-key (naming --next-alipay-cert).", valueName: "N"))
    var rotateCertAfter: Int?

    @Option(name: .customLong("next-alipay-private-key"), help: ArgumentHelp("With --rotate-cert-after: the key Alipay signs with after the rotation.", valueName: "FILE"))
    var nextAlipayPrivateKey: String?

    @Option(name: .customLong("next-alipay-cert"), help: ArgumentHelp("With --rotate-cert-after, certificate mode: the certificate of the next key (issued by the same root).", valueName: "FILE"))
    var nextAlipayCert: String?

    func run() throws {
        let logger = Logger(label: "alipay-sandbox")
        let privateKey: RSAPrivateKey, publicKey: RSAPublicKey
        do {
            privateKey = try RSAPrivateKey(bytes: try Self.read(alipayPrivateKey))
        } catch {
            throw SandboxError("--alipay-private-key \(alipayPrivateKey): \(error)")
        }
        do {
            publicKey = try RSAPublicKey(bytes: try Self.read(appPublicKey))
        } catch {
            throw SandboxError("--app-public-key \(appPublicKey): \(error)")
        }
        var configuration = SandboxConfiguration(alipayPrivateKey: privateKey, appPublicKey: publicKey, appID: appID, sellerID: sellerID)
        configuration.timestampTolerance = timestampTolerance
        configuration.appCertSN = appCertSN
        configuration.alipayRootCertSN = alipayRootCertSN
        configuration.latencySeconds = max(0, latency)
        do {
            configuration.alipayCertificate = try alipayCert.map { try SandboxConfiguration.SandboxCertificate(pem: try Self.read($0)) }
        } catch {
            throw SandboxError("--alipay-cert \(alipayCert ?? ""): \(error)")
        }
        if let after = rotateCertAfter {
            guard let nextAlipayPrivateKey else { throw SandboxError("--rotate-cert-after needs --next-alipay-private-key FILE (the key Alipay signs with after it)") }
            guard (nextAlipayCert == nil) == (alipayCert == nil) else {
                throw SandboxError("in certificate mode give both --alipay-cert and --next-alipay-cert; in public-key mode neither")
            }
            do {
                let key = try RSAPrivateKey(bytes: try Self.read(nextAlipayPrivateKey))
                let certificate = try nextAlipayCert.map { try SandboxConfiguration.SandboxCertificate(pem: try Self.read($0)) }
                configuration.rotation = (max(0, after), key, certificate)
            } catch {
                throw SandboxError("--next-alipay-private-key / --next-alipay-cert: \(error)")
            }
        }
        let address = try SocketAddress(parsing: listen)
        let notifications = NotificationSchedule(alipayPrivateKey: privateKey, post: LoopbackOrHTTPSPost.post,
                                                 log: { logger.info("\($0)") })
        let server = try HTTPServer(configuration: HTTPServerConfiguration(), logger: logger)
        let socket = try ListeningSocket(bindingTo: address)
        let offset = clockOffset
        server.addListener(socket, handler: SandboxServer(configuration: configuration, book: SandboxTradeBook(), notifications: notifications,
                                                          now: { Int64(Date().timeIntervalSince1970) + offset }))
        server.start()
        let banner = "alipay-sandbox: gateway http://\(socket.localAddress)/gateway.do, control API http://\(socket.localAddress)/sandbox/, app_id \(appID)\n"
        FileHandle.standardOutput.write(Data(banner.utf8))
        dispatchMain()
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SandboxError("cannot read the file (missing, or not readable by this user)")
        }
        return Array(data)
    }
}
