import ASCII

/// An incremental HTTP/1.x request parser: bytes in, requests (or one
/// error) out. Pure: no sockets, no clocks, so it is tested by feeding it
/// requests split at every byte boundary, and fuzzed the same way.
///
/// It is strict where leniency is how request smuggling and desync happen:
/// bare LF, whitespace before a colon, folded headers, `Content-Length`
/// together with `Transfer-Encoding`, conflicting `Content-Length`s and
/// codings other than `chunked` are all errors. After an error the parser
/// stays failed; the connection answers and closes.
public struct HTTPRequestParser: Sendable {
    /// What `next()` hands out.
    public enum Output: Sendable {
        /// The head carried `Expect: 100-continue` and the body has not
        /// started: the client is waiting for `100 Continue` before sending it.
        case expectsContinue
        /// A complete request.
        case request(HTTPRequest)
    }

    struct Head: Sendable {
        var method: String
        var target: String
        var version: HTTPRequest.Version
        var headers: HTTPHeaders
        var keepAlive: Bool
    }

    enum State: Sendable {
        case head
        case fixedBody(Head, length: Int)
        case chunkSize(Head, body: [UInt8])
        case chunkData(Head, body: [UInt8], remaining: Int)
        case chunkDataEnd(Head, body: [UInt8])
        case trailers(Head, body: [UInt8], bytes: Int)
        case failed(HTTPParseError)
    }

    let limits: HTTPParserLimits
    var buffer: [UInt8] = []
    /// The first byte not yet consumed.
    var start = 0
    /// How far the search for the end of the head got, relative to `start`,
    /// so that it resumes there when more bytes arrive.
    struct HeadScan: Sendable {
        /// The first byte not yet looked at.
        var index = 0
        /// The start of the line being scanned.
        var lineStart = 0
        /// The lines found so far, without their CRLF; the first is the request line.
        var lines: [Range<Int>] = []
    }
    var headScan = HeadScan()
    var state: State = .head

    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
    }

    /// Adds received bytes. Call `next()` until it returns nil.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && (start >= 16 * 1024 || start * 2 >= buffer.count) {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// True while bytes of a request that is not complete are held: the
    /// connection is in the middle of a request, not idle.
    public var hasPartialRequest: Bool {
        if case .head = state { return start < buffer.count }
        return true
    }

    /// True once the head is complete and the body is being received.
    public var isReceivingBody: Bool {
        switch state {
        case .head, .failed: return false
        default: return true
        }
    }

    /// The next output, nil when more bytes are needed. Throws the same
    /// error on every call once the input is known to be malformed.
    public mutating func next() throws(HTTPParseError) -> Output? {
        do {
            return try step()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> Output? {
        while true {
            switch state {
            case .failed(let error):
                throw error

            case .head:
                guard let (head, framing) = try parseHead() else { return nil }
                if let output = try beginBody(head, framing) { return output }

            case .fixedBody(let head, let length):
                guard buffer.count - start >= length else { return nil }
                let body = Array(buffer[start..<(start + length)])
                start += length
                return finish(head, body: body)

            case .chunkSize(let head, let body):
                guard let size = try parseChunkSize() else { return nil }
                if size == 0 {
                    state = .trailers(head, body: body, bytes: 0)
                } else {
                    guard size <= limits.maximumBodyBytes - body.count else { throw .bodyTooLarge }
                    state = .chunkData(head, body: body, remaining: size)
                }

            case .chunkData(let head, var body, let remaining):
                let available = buffer.count - start
                guard available > 0 else { return nil }
                let take = min(available, remaining)
                // Move the body out of `state` first so the append does not copy it.
                state = .head
                body.append(contentsOf: buffer[start..<(start + take)])
                start += take
                state = take == remaining ? .chunkDataEnd(head, body: body) : .chunkData(head, body: body, remaining: remaining - take)

            case .chunkDataEnd(let head, let body):
                guard buffer.count - start >= 2 else { return nil }
                guard buffer[start] == Self.CR, buffer[start + 1] == Self.LF else {
                    throw .badRequest("chunk data not followed by CRLF")
                }
                start += 2
                state = .chunkSize(head, body: body)

            case .trailers(let head, let body, let bytes):
                let lineEnd: Int
                switch try findLineEnd(from: start, limit: limits.maximumHeadBytes - bytes) {
                case .found(let end): lineEnd = end
                case .needMore: return nil
                case .tooLong: throw .headTooLarge
                }
                let lineLength = lineEnd - start
                start = lineEnd + 2
                if lineLength == 0 {
                    return finish(head, body: body)
                }
                // Trailer fields are read and ignored: nothing here depends on them.
                state = .trailers(head, body: body, bytes: bytes + lineLength + 2)
            }
        }
    }

    private mutating func finish(_ head: Head, body: [UInt8]) -> Output {
        state = .head
        return .request(HTTPRequest(
            method: head.method, target: head.target, version: head.version,
            headers: head.headers, body: body, keepAlive: head.keepAlive
        ))
    }

    // MARK: - Lines

    static let CR = UInt8(ascii: "\r")
    static let LF = UInt8(ascii: "\n")

    /// Where the line starting at `from` ends, when its text may be at most
    /// `limit` bytes (so its CR at offset `limit` at the latest).
    enum LineEnd {
        case found(Int)
        /// No CRLF yet; every byte before `scanned` has been checked.
        case needMore(scanned: Int)
        case tooLong
    }

    /// The one scanner for CRLF-terminated lines (request line, header
    /// fields, chunk sizes, trailers). It looks at bytes from `resume` on
    /// (those before were checked by an earlier call), and its answer depends
    /// only on the bytes, never on how they were split: a CR that is the last
    /// byte buffered waits for the next one, and a line is too long only once
    /// a byte past the limit has arrived. A bare LF or a CR not followed by
    /// LF is an error; `printable` also refuses control and non-ASCII bytes
    /// (the request line, so that binary garbage fails at once).
    private func findLineEnd(from: Int, resume: Int? = nil, limit: Int, printable: Bool = false) throws(HTTPParseError) -> LineEnd {
        var index = resume ?? from
        while index < buffer.count {
            if index > from + limit { return .tooLong }
            let byte = buffer[index]
            if byte == Self.CR {
                guard index + 1 < buffer.count else { break }
                guard buffer[index + 1] == Self.LF else { throw .badRequest("CR not followed by LF") }
                return .found(index)
            }
            if byte == Self.LF { throw .badRequest("bare LF line ending") }
            if printable && (byte < 0x20 || byte >= 0x7F) {
                throw .badRequest("request line contains a control or non-ASCII byte")
            }
            index += 1
        }
        return .needMore(scanned: index)
    }

    // MARK: - Head

    /// Parses the head once all of it is buffered.
    private mutating func parseHead() throws(HTTPParseError) -> (Head, Framing)? {
        // Tolerate empty lines before a request (some clients send a CRLF
        // after a body), as RFC 9112 section 2.2 allows.
        if headScan.index == 0 {
            while buffer.count - start >= 2 && buffer[start] == Self.CR && buffer[start + 1] == Self.LF {
                start += 2
            }
        }

        // Find the lines up to the empty one that ends the head, validating
        // line endings and the request line as bytes arrive, so that binary
        // garbage (a TLS ClientHello, an HTTP/2 preface) fails at once instead
        // of waiting for a timeout. The scan resumes where the previous call
        // stopped. The head's last byte (the final CR) must lie within the limit.
        var scan = headScan
        let lastAllowed = start + limits.maximumHeadBytes - 1
        while true {
            let lineStart = start + scan.lineStart
            let inRequestLine = scan.lines.isEmpty
            switch try findLineEnd(from: lineStart, resume: start + scan.index, limit: lastAllowed - lineStart,
                                   printable: inRequestLine) {
            case .needMore(let scanned):
                scan.index = scanned - start
                headScan = scan
                return nil
            case .tooLong:
                throw .headTooLarge
            case .found(let lineEnd) where lineEnd == lineStart:
                if inRequestLine { throw .badRequest("empty request line") }
                let interpreted = try interpretHead(buffer[start..<lineStart], lines: scan.lines)
                start = lineEnd + 2
                headScan = HeadScan()
                return interpreted
            case .found(let lineEnd):
                scan.lines.append((lineStart - start)..<(lineEnd - start))
                scan.lineStart = lineEnd + 2 - start
                scan.index = scan.lineStart
            }
        }
    }

    /// What the head says about framing and the connection, gathered in the
    /// single pass over the header lines.
    struct Framing {
        var contentLength: Int?
        var contentLengthCount = 0
        var transferEncodings: [Range<Int>] = []
        var hostCount = 0
        var expect: Range<Int>?
        var connectionValues: [Range<Int>] = []
    }

    /// Turns the bytes of a complete head (without the final CRLF) and the
    /// lines the scan found in it into a `Head`, in one pass and without a
    /// string per header.
    private func interpretHead(_ bytes: ArraySlice<UInt8>, lines: [Range<Int>]) throws(HTTPParseError) -> (Head, Framing) {
        let storage = Array(bytes)
        let lineEnd = lines[0].upperBound

        // Request line: METHOD SP TARGET SP VERSION, single spaces.
        guard let firstSpace = storage[0..<lineEnd].firstIndex(of: UInt8(ascii: " ")) else {
            throw .badRequest("request line is not 'METHOD TARGET HTTP/x.y'")
        }
        guard let secondSpace = storage[(firstSpace + 1)..<lineEnd].firstIndex(of: UInt8(ascii: " ")),
              !storage[(secondSpace + 1)..<lineEnd].contains(UInt8(ascii: " ")) else {
            throw .badRequest("request line is not 'METHOD TARGET HTTP/x.y'")
        }
        let methodBytes = storage[0..<firstSpace]
        let targetBytes = storage[(firstSpace + 1)..<secondSpace]
        let versionBytes = storage[(secondSpace + 1)..<lineEnd]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(Self.isTokenByte) else { throw .badRequest("malformed method") }
        guard !targetBytes.isEmpty else { throw .badRequest("empty request target") }
        let version: HTTPRequest.Version
        if versionBytes.elementsEqual("HTTP/1.1".utf8) {
            version = .http11
        } else if versionBytes.elementsEqual("HTTP/1.0".utf8) {
            version = .http10
        } else if versionBytes.count == 8, versionBytes.starts(with: "HTTP/".utf8),
                  Self.isDigit(versionBytes[versionBytes.startIndex + 5]),
                  versionBytes[versionBytes.startIndex + 6] == UInt8(ascii: "."),
                  Self.isDigit(versionBytes[versionBytes.startIndex + 7]) {
            throw HTTPParseError(505, "only HTTP/1.0 and HTTP/1.1 are supported")
        } else {
            throw .badRequest("malformed HTTP version")
        }

        // Header fields.
        var fields: [(name: Range<Int>, value: Range<Int>)] = []
        fields.reserveCapacity(12)
        var framing = Framing()
        for line in lines.dropFirst() {
            let (lineStart, lineEnd) = (line.lowerBound, line.upperBound)
            guard fields.count < limits.maximumHeaderCount else { throw .tooManyHeaders }
            let first = storage[lineStart]
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                throw .badRequest("folded header line (obsolete line folding)")
            }
            var colon = lineStart
            while colon < lineEnd && storage[colon] != UInt8(ascii: ":") {
                let byte = storage[colon]
                if !Self.isTokenByte(byte) {
                    if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                        throw .badRequest("whitespace between a header name and its colon")
                    }
                    throw .badRequest("invalid byte in a header name")
                }
                colon += 1
            }
            guard colon < lineEnd else { throw .badRequest("header line without a colon") }
            guard colon > lineStart else { throw .badRequest("header with an empty name") }
            var valueStart = colon + 1
            var valueEnd = lineEnd
            while valueStart < valueEnd && Self.isBlank(storage[valueStart]) { valueStart += 1 }
            while valueEnd > valueStart && Self.isBlank(storage[valueEnd - 1]) { valueEnd -= 1 }
            for index in valueStart..<valueEnd {
                let byte = storage[index]
                if (byte < 0x20 && byte != 0x09) || byte == 0x7F { throw .badRequest("control byte in a header value") }
            }
            let name = storage[lineStart..<colon]
            let value = valueStart..<valueEnd
            fields.append((lineStart..<colon, value))
            switch name.count {
            case 4 where HTTPHeaders.equalsIgnoringCase(name, "host".utf8):
                framing.hostCount += 1
            case 6 where HTTPHeaders.equalsIgnoringCase(name, "expect".utf8):
                framing.expect = value
            case 10 where HTTPHeaders.equalsIgnoringCase(name, "connection".utf8):
                framing.connectionValues.append(value)
            case 14 where HTTPHeaders.equalsIgnoringCase(name, "content-length".utf8):
                guard !value.isEmpty, storage[value].allSatisfy(Self.isDigit) else {
                    throw .badRequest("Content-Length is not a non-negative integer")
                }
                guard value.count <= 15 else { throw .bodyTooLarge }
                let length = storage[value].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                if let earlier = framing.contentLength, earlier != length {
                    throw .badRequest("conflicting Content-Length headers")
                }
                framing.contentLength = length
                framing.contentLengthCount += 1
            case 17 where HTTPHeaders.equalsIgnoringCase(name, "transfer-encoding".utf8):
                framing.transferEncodings.append(value)
            default:
                break
            }
        }

        var keepAlive = version == .http11
        for value in framing.connectionValues {
            for token in storage[value].split(separator: UInt8(ascii: ",")) {
                var token = token[...]
                while let first = token.first, Self.isBlank(first) { token = token.dropFirst() }
                while let last = token.last, Self.isBlank(last) { token = token.dropLast() }
                if HTTPHeaders.equalsIgnoringCase(token, "close".utf8) { keepAlive = false }
                if HTTPHeaders.equalsIgnoringCase(token, "keep-alive".utf8) && version == .http10 { keepAlive = true }
            }
        }
        if version == .http11 && framing.hostCount != 1 {
            throw .badRequest(framing.hostCount == 0 ? "HTTP/1.1 request without Host" : "more than one Host header")
        }

        let head = Head(
            method: String(decoding: methodBytes, as: UTF8.self),
            target: String(decoding: targetBytes, as: UTF8.self),
            version: version, headers: HTTPHeaders(storage: storage, fields: fields), keepAlive: keepAlive
        )
        return (head, framing)
    }

    /// Decides the body framing from the head and moves to the body state.
    private mutating func beginBody(_ head: Head, _ framing: Framing) throws(HTTPParseError) -> Output? {
        let storage = head.headers.storage
        var chunked = false
        if !framing.transferEncodings.isEmpty {
            guard head.version == .http11 else { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            guard framing.contentLengthCount == 0 else { throw .badRequest("both Content-Length and Transfer-Encoding") }
            let codings = framing.transferEncodings.flatMap { storage[$0].split(separator: UInt8(ascii: ",")) }
                .map { String(decoding: $0, as: UTF8.self).lowercased()[...].trimmingBlanks }
            guard codings.last == "chunked" else {
                throw .badRequest("Transfer-Encoding does not end with chunked")
            }
            guard codings.count == 1 else {
                throw HTTPParseError(501, "transfer coding '\(codings.dropLast().joined(separator: ", "))' is not supported")
            }
            chunked = true
        }

        let length = framing.contentLength ?? 0
        guard length <= limits.maximumBodyBytes else { throw .bodyTooLarge }

        let hasBody = chunked || length > 0
        var expectsContinue = false
        if let expectation = framing.expect {
            guard HTTPHeaders.equalsIgnoringCase(storage[expectation], "100-continue".utf8) else {
                throw HTTPParseError(417, "unsupported expectation '\(String(decoding: storage[expectation], as: UTF8.self))'")
            }
            expectsContinue = head.version == .http11 && hasBody && start == buffer.count
        }

        if chunked {
            state = .chunkSize(head, body: [])
        } else {
            state = .fixedBody(head, length: length)
        }
        if expectsContinue { return .expectsContinue }
        return nil
    }

    /// Reads `size[;extensions]CRLF`; nil when the line has not arrived.
    private mutating func parseChunkSize() throws(HTTPParseError) -> Int? {
        let lineEnd: Int
        switch try findLineEnd(from: start, limit: limits.maximumChunkLineBytes) {
        case .found(let end): lineEnd = end
        case .needMore: return nil
        case .tooLong: throw .badRequest("chunk size line too long")
        }
        var size = 0
        var digits = 0
        var index = start
        while index < lineEnd, let value = HexDigit.value(of: buffer[index]) {
            digits += 1
            guard digits <= 8 else { throw .bodyTooLarge }
            size = size * 16 + Int(value)
            index += 1
        }
        guard digits > 0 else { throw .badRequest("malformed chunk size") }
        while index < lineEnd && Self.isBlank(buffer[index]) { index += 1 }
        if index < lineEnd {
            guard buffer[index] == UInt8(ascii: ";") else { throw .badRequest("malformed chunk size") }
            for byte in buffer[index..<lineEnd] where (byte < 0x20 && byte != 0x09) || byte == 0x7F {
                throw .badRequest("control byte in a chunk extension")
            }
        }
        start = lineEnd + 2
        return size
    }

    // MARK: - Byte classes

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's OWS).
    var trimmingBlanks: Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
