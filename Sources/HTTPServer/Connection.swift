import CLinux
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// One accepted TCP connection: reads bytes into the parser, hands each
/// request to the handler, and writes the responses back in request order
/// however the handler's answers arrive (pipelining).
///
/// The decisions (what to do with input, when a response may go out, when
/// to linger or close, which deadline applies) are the state machine's;
/// this type performs them on the socket.
///
/// Confined to its event loop's thread: every method runs there. Other
/// threads reach it only through `HTTPResponder`, which hops to the loop.
final class Connection: @unchecked Sendable {
    private static let continueBytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    let fd: Int32
    let loop: EventLoop
    private let handler: any HTTPHandler
    private var parser: HTTPRequestParser
    private var machine: ConnectionStateMachine
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    /// Set while buffered input is parsed: answers given synchronously by
    /// the handler are written once, at the end of the batch.
    private var isProcessingInput = false
    /// The epoll events asked for now.
    private var interest: UInt32

    init(fd: Int32, loop: EventLoop, handler: any HTTPHandler) {
        self.fd = fd
        self.loop = loop
        self.handler = handler
        let configuration = loop.server.configuration
        self.parser = HTTPRequestParser(limits: configuration.parserLimits)
        self.machine = ConnectionStateMachine(limits: .init(configuration), acceptedAt: MonotonicClock.nanoseconds())
        self.interest = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
    }

    var isClosed: Bool { machine.state == .closed }

    /// Where the parser is, for the state machine's deadlines.
    private var progress: ConnectionStateMachine.RequestProgress {
        parser.isReceivingBody ? .body : parser.hasPartialRequest ? .head : .idle
    }

    // MARK: - Events

    func handleEvents(_ flags: UInt32) {
        if flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            readInput()
        }
        if !isClosed && flags & EPOLLOUT.rawValue != 0 {
            writeOutbound()
        }
    }

    private func readInput() {
        for _ in 0..<4 where machine.wantsToRead {
            let result: IOResult<Int>
            do {
                result = try SystemCall.read(fd, into: loop.readBuffer)
            } catch {
                close() // ECONNRESET and the like: the peer is gone.
                return
            }
            guard case .done(let count) = result else { return }
            let now = MonotonicClock.nanoseconds()
            if count == 0 {
                perform(machine.peerClosed(now: now))
                return
            }
            switch machine.bytesRead(count, now: now) {
            case .close:
                close()
                return
            case .discard:
                continue
            case .parse:
                break
            }
            parser.append(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<count]))
            machine.inputBuffered(progress, now: now)
            processInput()
            if count < loop.readBuffer.count { return }
        }
    }

    /// Parses and dispatches every complete request that is buffered, as
    /// long as the pipeline has room.
    private func processInput() {
        isProcessingInput = true
        defer {
            isProcessingInput = false
            flushReadySlots()
            writeOutbound()
            // Answers given synchronously may have freed room in the pipeline.
            if machine.resumeIfRoom() { processInput() }
            updateInterest()
        }
        while machine.parsesRequests {
            if machine.isPipelineFull {
                flushReadySlots()
                if machine.isPipelineFull {
                    // Stop reading until the responses are out: the client
                    // gets backpressure instead of an unbounded queue here.
                    machine.pauseReading()
                    return
                }
            }
            let output: HTTPRequestParser.Output?
            do {
                output = try parser.next()
            } catch {
                loop.server.statistics.recordRejected(status: error.status)
                loop.server.logger.debug("rejected a request on connection \(fd): \(error)")
                machine.parseFailed(error)
                return
            }
            guard let output else { break }
            switch output {
            case .expectsContinue:
                machine.expectsContinue(now: MonotonicClock.nanoseconds())
            case .request(let request):
                let sequence = machine.requestParsed(version: request.version, keepAlive: request.keepAlive)
                loop.server.statistics.requests.add(1, ordering: .relaxed)
                handler.handle(request, responder: HTTPResponder(connection: self, sequence: sequence))
            }
        }
        machine.inputBuffered(progress, now: MonotonicClock.nanoseconds())
    }

    // MARK: - Responses

    /// Stores the handler's response for `sequence` and writes whatever is
    /// now ready in order. Called on the loop thread.
    func complete(_ sequence: UInt64, _ response: HTTPResponse) {
        guard machine.handlerAnswered(sequence, with: response) else { return }
        writeReadyResponses()
    }

    /// Writes the responses that are ready, unless a batch of input is being
    /// parsed (it writes at its end).
    private func writeReadyResponses() {
        guard !isProcessingInput else { return }
        flushReadySlots()
        writeOutbound()
        if machine.resumeIfRoom() { processInput() }
        updateInterest()
    }

    /// Serializes the responses the pipeline lets out into `outbound`.
    private func flushReadySlots() {
        for outgoing in machine.takeReadyResponses(now: MonotonicClock.nanoseconds()) {
            switch outgoing.content {
            case .continue100:
                outbound.append(contentsOf: Self.continueBytes)
            case .response(let response):
                outbound.reserveCapacity(outbound.count + 160 + response.body.count)
                response.serialize(into: &outbound, version: outgoing.version, keepAlive: outgoing.keepAlive)
            }
        }
    }

    private func writeOutbound() {
        guard !isClosed else { return }
        while outboundOffset < outbound.count {
            let result: IOResult<Int>
            do {
                result = try outbound.withUnsafeBytes { bytes in
                    try SystemCall.send(fd, UnsafeRawBufferPointer(rebasing: bytes[outboundOffset...]))
                }
            } catch {
                close()
                return
            }
            switch result {
            case .done(let written):
                outboundOffset += written
                machine.wroteBytes(now: MonotonicClock.nanoseconds())
            case .wouldBlock:
                updateInterest()
                return
            }
        }
        outbound.removeAll(keepingCapacity: outbound.capacity <= 64 * 1024)
        outboundOffset = 0
        perform(machine.outputDrained(now: MonotonicClock.nanoseconds(), progress: progress))
    }

    // MARK: - Actions

    private func perform(_ action: ConnectionStateMachine.Action) {
        switch action {
        case .none:
            break
        case .writeResponses:
            writeReadyResponses()
        case .shutDownOutputAndLinger:
            SystemCall.shutdownWrite(fd)
        case .close:
            close()
        case .timeOutAndClose:
            loop.server.statistics.timeouts.add(1, ordering: .relaxed)
            close()
        case .timeOutAndWriteResponses:
            loop.server.statistics.timeouts.add(1, ordering: .relaxed)
            writeReadyResponses()
        }
        updateInterest()
    }

    /// Asks epoll for reading when the state machine wants input, and for
    /// writing while output is waiting for room in the socket buffer.
    private func updateInterest() {
        guard !isClosed else { return }
        let read = machine.wantsToRead ? EPOLLIN.rawValue | EPOLLRDHUP.rawValue : 0
        let write = outboundOffset < outbound.count ? EPOLLOUT.rawValue : 0
        let wanted = read | write
        guard wanted != interest else { return }
        interest = wanted
        do {
            try SystemCall.epollControl(loop.epoll, EPOLL_CTL_MOD, fd, events: wanted)
        } catch {
            loop.server.logger.error("epoll_ctl MOD on connection \(fd): \(error)")
            close()
        }
    }

    // MARK: - Deadlines, shutdown, close

    func checkDeadlines(_ now: Int64) {
        guard !isClosed else { return }
        perform(machine.checkDeadlines(now: now, progress: progress))
    }

    func beginShutdown() {
        perform(machine.shutdownRequested(progress: progress))
    }

    func close() {
        guard machine.close() else { return }
        SystemCall.close(fd)
        outbound = []
        outboundOffset = 0
        loop.connectionDidClose(fd)
    }
}
