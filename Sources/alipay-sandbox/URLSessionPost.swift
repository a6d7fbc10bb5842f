import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Locking

/// One HTTP exchange, waited for: the control commands' way to the running
/// sandbox, and the sandbox's way to a merchant's notify_url (http or
/// https, anywhere, as Alipay's own notifications go).
enum URLSessionPost {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func post(_ url: String, _ body: [UInt8]) -> Result<(status: Int, body: [UInt8]), any Error> {
        send("POST", url, body: body, contentType: "application/x-www-form-urlencoded;charset=utf-8")
    }

    static func send(_ method: String, _ url: String, body: [UInt8]? = nil, contentType: String = "application/json",
                     timeout: Double = 15) -> Result<(status: Int, body: [UInt8]), any Error> {
        guard let target = URL(string: url), target.scheme == "http" || target.scheme == "https" else {
            return .failure(Failure(description: "'\(url)' is not an http:// or https:// URL"))
        }
        var request = URLRequest(url: target, timeoutInterval: timeout)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body)
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        let outcome = Locked<Result<(status: Int, body: [UInt8]), any Error>?>(nil)
        URLSession.shared.dataTask(with: request) { data, response, error in
            let result: Result<(status: Int, body: [UInt8]), any Error>
            if let error {
                result = .failure(Failure(description: "\(method) \(url): \(error.localizedDescription)"))
            } else {
                result = .success(((response as? HTTPURLResponse)?.statusCode ?? 0, Array(data ?? Data())))
            }
            outcome.withLock { $0 = result }
            done.signal()
        }.resume()
        done.wait()
        return outcome.withLock { $0! }
    }
}
