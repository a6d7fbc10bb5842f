import Foundation

/// Many POSTs at once with one real curl (`--parallel`), the way a burst of
/// Alipay deliveries and retries reaches a load balancer's instances.
public enum CurlStorm {
    public struct Request: Sendable {
        public let url: String
        public let body: String
        public let contentType: String
        /// A form body (as Alipay posts), unless `contentType` says otherwise.
        public init(url: String, body: String, contentType: String = "application/x-www-form-urlencoded; charset=utf-8") {
            self.url = url
            self.body = body
            self.contentType = contentType
        }
    }

    /// Sends every request over up to `connections` connections at once
    /// and returns the replies in the order of `requests` (status 0 when
    /// curl got no answer at all).
    public static func send(_ requests: [Request], connections: Int = 64, timeout: Double = 120) throws -> [Curl.Reply] {
        let directory = TemporaryDirectory("curl-storm")
        var config = ""
        for (index, request) in requests.enumerated() {
            let body = directory.file("body-\(index)")
            try Data(request.body.utf8).write(to: URL(fileURLWithPath: body))
            if index > 0 { config += "next\n" }
            config += """
                url = "\(request.url)"
                request = "POST"
                header = "Content-Type: \(request.contentType)"
                data-binary = "@\(body)"
                output = "\(directory.file("reply-\(index)"))"
                write-out = "%{http_code} \(index)\\n"
                max-time = 30
                silent

                """
        }
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory.file("curl.conf")))
        let result = try ChildProcess.run("curl", ["--parallel", "--parallel-immediate", "--parallel-max", "\(connections)",
                                                   "-K", directory.file("curl.conf")], timeout: timeout)
        var statuses = [Int](repeating: 0, count: requests.count)
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let index = Int(parts[1]), index < requests.count { statuses[index] = Int(parts[0]) ?? 0 }
        }
        return requests.indices.map { index in
            let body = (try? String(contentsOfFile: directory.file("reply-\(index)"), encoding: .utf8)) ?? ""
            return Curl.Reply(status: statuses[index], body: body, seconds: 0)
        }
    }
}
