import GatewayTransport

/// One POST, waited for, through the project's HTTPS transport (libcurl,
/// certificates verified, plain HTTP to loopback addresses only): the
/// control commands' way to the running sandbox, and the sandbox's way to a
/// merchant's notify_url.
enum LoopbackOrHTTPSPost {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func post(_ url: String, _ body: [UInt8]) -> Result<(status: Int, body: [UInt8]), any Error> {
        let transport: GatewayTransport
        do {
            transport = try GatewayTransport(configuration: GatewayTransportConfiguration(gatewayURL: url))
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
        switch transport.post(form: body) {
        case .answered(let response): return .success((response.status, response.body))
        case .unknown(let error): return .failure(Failure(description: "\(error)"))
        }
    }
}
