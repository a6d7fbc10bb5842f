@testable import HTTPServer
import Testing

/// Feeds `input` to a fresh parser in the given pieces and collects what comes out.
func parse(_ pieces: [[UInt8]], limits: HTTPParserLimits = HTTPParserLimits()) -> (outputs: [HTTPRequestParser.Output], error: HTTPParseError?) {
    var parser = HTTPRequestParser(limits: limits)
    var outputs: [HTTPRequestParser.Output] = []
    for piece in pieces {
        parser.append(piece)
        do {
            while let output = try parser.next() { outputs.append(output) }
        } catch {
            return (outputs, error)
        }
    }
    return (outputs, nil)
}

func parse(_ text: String, limits: HTTPParserLimits = HTTPParserLimits()) -> (outputs: [HTTPRequestParser.Output], error: HTTPParseError?) {
    parse([Array(text.utf8)], limits: limits)
}

func requests(_ outputs: [HTTPRequestParser.Output]) -> [HTTPRequest] {
    outputs.compactMap { if case .request(let request) = $0 { return request } else { return nil } }
}

@Suite struct HTTPRequestParserTests {
    static let notify = "POST /notify?x=1 HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\nhello=world"
    static let chunked = "POST /notify HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n=world\r\n0\r\nX-Trailer: t\r\n\r\n"
    static let get = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"

    @Test func parsesAContentLengthRequest() throws {
        let result = parse(Self.notify)
        #expect(result.error == nil)
        let request = try #require(requests(result.outputs).first)
        #expect(request.method == "POST")
        #expect(request.target == "/notify?x=1")
        #expect(request.path == "/notify")
        #expect(request.version == .http11)
        #expect(request.keepAlive)
        #expect(request.headers["content-type"] == "application/x-www-form-urlencoded")
        #expect(request.body == Array("hello=world".utf8))
    }

    @Test func parsesAChunkedRequestAndIgnoresExtensionsAndTrailers() throws {
        let result = parse(Self.chunked)
        #expect(result.error == nil)
        #expect(requests(result.outputs).first?.body == Array("hello=world".utf8))
    }

    /// The same requests, split into two pieces at every possible byte, and
    /// fed one byte at a time: the parser must give the same result.
    @Test(arguments: [notify, chunked, get, notify + get + chunked])
    func givesTheSameRequestsWhereverTheInputIsSplit(_ text: String) throws {
        let bytes = Array(text.utf8)
        let whole = requests(parse([bytes]).outputs)
        #expect(!whole.isEmpty)
        for split in 0...bytes.count {
            let pieces = [Array(bytes[..<split]), Array(bytes[split...])]
            let result = parse(pieces)
            #expect(result.error == nil, "split at \(split)")
            let parts = requests(result.outputs)
            #expect(parts.map(\.body) == whole.map(\.body), "split at \(split)")
            #expect(parts.map(\.target) == whole.map(\.target), "split at \(split)")
        }
        let bytewise = parse(bytes.map { [$0] })
        #expect(requests(bytewise.outputs).map(\.body) == whole.map(\.body))
    }

    @Test func answersPipelinedRequestsInOrder() {
        let result = parse(Self.get + Self.notify + Self.get)
        #expect(requests(result.outputs).map(\.method) == ["GET", "POST", "GET"])
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() {
        #expect(requests(parse("GET / HTTP/1.0\r\n\r\n").outputs).first?.keepAlive == false)
        #expect(requests(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").outputs).first?.keepAlive == true)
        #expect(requests(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").outputs).first?.keepAlive == false)
    }

    @Test func signalsExpectContinueBeforeTheBodyArrives() {
        let head = "POST /notify HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
        var parser = HTTPRequestParser()
        parser.append(Array(head.utf8))
        guard case .expectsContinue? = try? parser.next() else {
            Issue.record("expected expectsContinue")
            return
        }
        #expect((try? parser.next()) == nil)
        parser.append(Array("abc".utf8))
        guard case .request(let request)? = try? parser.next() else {
            Issue.record("expected the request")
            return
        }
        #expect(request.body == Array("abc".utf8))
    }

    @Test func doesNotAskForContinueWhenTheBodyIsAlreadyHere() {
        let result = parse("POST /n HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc")
        #expect(result.outputs.count == 1)
        #expect(requests(result.outputs).count == 1)
    }

    @Test func skipsEmptyLinesBetweenRequests() {
        #expect(requests(parse(Self.get + "\r\n\r\n" + Self.get).outputs).count == 2)
    }

    @Test func rejectsAHeadOverTheLimitWith431() {
        let big = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 17_000) + "\r\n\r\n"
        #expect(parse(big).error?.status == 431)
        // Also when the head never ends: no waiting for a terminator forever.
        #expect(parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 17_000)).error?.status == 431)
    }

    @Test func rejectsTooManyHeadersWith431() {
        let headers = (0..<101).map { "X-\($0): v\r\n" }.joined()
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n").error?.status == 431)
    }

    @Test func rejectsABodyOverTheLimitAsSoonAsContentLengthSaysSo() {
        let limits = HTTPParserLimits(maximumBodyBytes: 100)
        let result = parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n", limits: limits)
        #expect(result.error?.status == 413)
    }

    @Test func rejectsChunksThatAddUpOverTheLimit() {
        let limits = HTTPParserLimits(maximumBodyBytes: 8)
        let result = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\n", limits: limits)
        #expect(result.error?.status == 413)
        #expect(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFF\r\n").error?.status == 413)
    }

    /// Every malformed head or framing that must be refused, with its status.
    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: a\n\n", 400),                                               // bare LF
        ("GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n", 400),                                  // space before colon
        ("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", 400),                              // NUL in a value
        ("GET /\u{0} HTTP/1.1\r\nHost: a\r\n\r\n", 400),                                       // NUL in the request line
        ("GET /é HTTP/1.1\r\nHost: a\r\n\r\n", 400),                                           // non-ASCII in the request line
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1 extra\r\nHost: a\r\n\r\n", 400),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),                                                       // no Host
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),                                             // HTTP/2 preface
        ("GET / HTTP/3.0\r\nHost: a\r\n\r\n", 505),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),       // bad chunk size
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400), // no CRLF after data
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\nContent-Length: 1\r\n\r\n", 417),
    ] as [(String, Int)])
    func refusesMalformedInputWithItsStatus(_ input: String, status: Int) {
        #expect(parse(input).error?.status == status, "\(input.debugDescription)")
    }

    /// A chunk-size line of exactly the limit is accepted and one byte more
    /// is refused, whether or not the input is cut right after its CR (the
    /// fuzzer found the split case refused as too long).
    @Test func aLineAtTheLimitGetsTheSameAnswerWhereverItIsCut() throws {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        for (extra, accepted) in [(0, true), (1, false)] {
            let line = "1;" + String(repeating: "x", count: HTTPParserLimits().maximumChunkLineBytes - 2 + extra)
            let bytes = Array((head + line + "\r\na\r\n0\r\n\r\n").utf8)
            let cut = head.utf8.count + line.utf8.count + 1
            for pieces in [[bytes], [Array(bytes[..<cut]), Array(bytes[cut...])], bytes.map { [$0] }] {
                let result = parse(pieces)
                #expect((result.error == nil) == accepted, "line of \(line.utf8.count) bytes in \(pieces.count) pieces: \(String(describing: result.error))")
                #expect(requests(result.outputs).map(\.body) == (accepted ? [Array("a".utf8)] : []))
            }
        }
    }

    @Test func failsAtOnceOnATLSClientHello() {
        // The first bytes of a TLS record: no CRLF will ever come.
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]
        #expect(parse([hello]).error?.status == 400)
    }

    @Test func staysFailedAfterAnError() {
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/1.1\nHost: a\n\n".utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
        parser.append(Array(Self.get.utf8))
        #expect(throws: HTTPParseError.self) { try parser.next() }
    }

    @Test func tracksWhetherARequestIsInProgress() {
        var parser = HTTPRequestParser()
        #expect(!parser.hasPartialRequest)
        parser.append(Array("GET / HT".utf8))
        _ = try? parser.next()
        #expect(parser.hasPartialRequest)
        #expect(!parser.isReceivingBody)
        parser.append(Array("TP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nx".utf8))
        _ = try? parser.next()
        #expect(parser.isReceivingBody)
        parser.append(Array("y".utf8))
        _ = try? parser.next()
        #expect(!parser.hasPartialRequest)
    }
}
