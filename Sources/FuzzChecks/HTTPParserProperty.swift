import HTTPServer

/// The request parser must read the same requests, and fail with the same
/// status, whether the bytes arrive at once, in random pieces or one byte
/// at a time (a TCP stream can be cut anywhere), and nothing it hands out
/// may break its own limits or carry bytes a header cannot hold. Small
/// limits, so the fuzzer reaches every one of them.
struct HTTPParserProperty: FuzzProperty {
    let limits = HTTPParserLimits(maximumHeadBytes: 1024, maximumHeaderCount: 16, maximumBodyBytes: 2048)

    /// What the parser made of a stream: complete requests, then its error.
    struct Transcript: Equatable {
        struct Request: Equatable {
            var method: String
            var target: String
            var version: String
            var headers: [String]
            var body: [UInt8]
            var keepAlive: Bool
        }
        var requests: [Request] = []
        var errorStatus: Int?
    }

    func check(_ input: [UInt8]) throws(PropertyViolation) {
        let whole = transcript([input[...]])
        try checkLimits(whole)

        let random = transcript(randomPieces(of: input))
        guard random == whole else {
            throw PropertyViolation("random pieces parse differently: whole \(whole), pieces \(random)")
        }
        if input.count <= 4096 {
            let bytewise = transcript(input.indices.map { input[$0...$0] })
            guard bytewise == whole else {
                throw PropertyViolation("byte-by-byte parses differently: whole \(whole), bytewise \(bytewise)")
            }
        }
    }

    func transcript(_ pieces: [ArraySlice<UInt8>]) -> Transcript {
        var parser = HTTPRequestParser(limits: limits)
        var result = Transcript()
        for piece in pieces {
            piece.withUnsafeBytes { parser.append($0) }
            do {
                while let output = try parser.next() {
                    if case .request(let request) = output {
                        result.requests.append(Transcript.Request(
                            method: request.method, target: request.target, version: request.version.rawValue,
                            headers: request.headers.map { "\($0.name): \($0.value)" },
                            body: request.body, keepAlive: request.keepAlive))
                    }
                }
            } catch {
                result.errorStatus = error.status
                // A failed parser stays failed, whatever comes next.
                parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
                if (try? parser.next()) != nil { result.errorStatus = -1 }
                return result
            }
        }
        return result
    }

    func checkLimits(_ transcript: Transcript) throws(PropertyViolation) {
        for request in transcript.requests {
            guard request.body.count <= limits.maximumBodyBytes else {
                throw PropertyViolation("a body of \(request.body.count) bytes passed a limit of \(limits.maximumBodyBytes)")
            }
            guard request.headers.count <= limits.maximumHeaderCount else {
                throw PropertyViolation("\(request.headers.count) headers passed a limit of \(limits.maximumHeaderCount)")
            }
            guard !request.method.isEmpty, request.target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw PropertyViolation("request line with an empty method or a control/non-ASCII byte in \(request.target.debugDescription)")
            }
            for header in request.headers where header.utf8.contains(where: { $0 == 0 || $0 == 0x0D || $0 == 0x0A }) {
                throw PropertyViolation("header with NUL, CR or LF: \(header.debugDescription)")
            }
        }
        if let status = transcript.errorStatus, !(400...599).contains(status) {
            throw PropertyViolation("a parser error with status \(status), or a failed parser that parsed again (-1)")
        }
    }

    /// The input cut at places chosen by a generator seeded from the input,
    /// so a saved crasher replays the same cuts.
    func randomPieces(of input: [UInt8]) -> [ArraySlice<UInt8>] {
        var state: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in input { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        while start < input.count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let length = 1 + Int(state % 64)
            let end = min(input.count, start + length)
            pieces.append(input[start..<end])
            start = end
        }
        return pieces
    }
}
