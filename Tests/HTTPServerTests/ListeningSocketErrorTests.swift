import HTTPServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ListeningSocketErrorTests {
    @Test func refusesAHostNameAsAListenAddressAndSaysWhatToUse() {
        #expect(throws: ListeningSocketError.notNumericAddress("localhost")) {
            try ListeningSocket(bindingTo: SocketAddress(host: "localhost", port: 0))
        }
        let text = ListeningSocketError.notNumericAddress("localhost").description
        #expect(text.contains("'localhost'"))
        #expect(text.contains("127.0.0.1"))
    }

    @Test func refusesToAdoptASocketThatIsNotListening() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(throws: ListeningSocketError.notListening(descriptor: fd)) {
            try ListeningSocket(inheritedDescriptor: fd)
        }
    }

    @Test func namesTheAddressWhenBindFails() throws {
        let first = try ListeningSocket(bindingTo: SocketAddress(host: "127.0.0.1", port: 0))
        let taken = first.localAddress
        do {
            _ = try ListeningSocket(bindingTo: taken)
            Issue.record("bound \(taken) twice")
        } catch {
            guard case .systemCall(let systemError) = error else { Issue.record("\(error)"); return }
            #expect(systemError.errno == EADDRINUSE)
            #expect(error.description.hasPrefix("bind \(taken) failed: Address already in use"))
        }
    }
}
