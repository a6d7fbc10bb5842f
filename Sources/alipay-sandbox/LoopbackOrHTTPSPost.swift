import HTTPClient

/// One POST of a form, waited for, through the project's HTTP client
/// (libcurl, certificates verified, plain HTTP to loopback addresses only):
/// the control commands' way to the running sandbox, and the sandbox's way
/// to a merchant's notify_url. One client for the process, so connections
/// to the same notify_url are reused.
enum LoopbackOrHTTPSPost {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let client = Result { () throws(HTTPClientConfigurationError) in
        try HTTPClient(configuration: HTTPClientConfiguration(schemes: .httpsOrLoopbackHTTP))
    }

    static func post(_ url: String, _ body: [UInt8]) -> Result<(status: Int, body: [UInt8]), any Error> {
        do {
            let client = try client.get()
            let request = HTTPClientRequest(method: .post, url: try client.url(url, setting: "notify_url"),
                                            headers: [("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")], body: body)
            switch client.perform(request) {
            case .success(let response): return .success((response.status, response.body))
            case .failure(let error): return .failure(Failure(description: "\(error)"))
            }
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }
}
