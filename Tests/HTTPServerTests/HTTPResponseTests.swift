import Testing
@testable import HTTPServer

/// The status line a client sees: every status the daemon answers has its
/// own reason phrase (a 201 read "201 Status 201" before).
@Suite struct HTTPResponseTests {
    @Test(arguments: [
        (201, "Created"), (202, "Accepted"), (302, "Found"), (303, "See Other"), (401, "Unauthorized"),
        (403, "Forbidden"), (415, "Unsupported Media Type"), (429, "Too Many Requests"),
        (200, "OK"), (503, "Service Unavailable"),
    ])
    func eachStatusTheDaemonAnswersHasItsReasonPhrase(status: Int, phrase: String) {
        #expect(HTTPResponse.reasonPhrase(status) == phrase)
    }
}
