import CLinux
#if canImport(Glibc)
import Glibc
#endif

/// One accepted TCP connection: reads bytes into the parser, hands each
/// request to the handler, and writes the responses back in request order
/// however the handler's answers arrive (pipelining).
///
/// Confined to its event loop's thread: every method runs there. Other
/// threads reach it only through `HTTPResponder`, which hops to the loop.
final class Connection: @unchecked Sendable {
    /// A response position in request order. Its bytes arrive when the
    /// handler answers; an interim `100 Continue` has its bytes at once.
    private struct Slot {
        let sequence: UInt64
        var bytes: [UInt8]?
        var closeAfter: Bool
        let version: HTTPRequest.Version
    }

    let fd: Int32
    let loop: EventLoop
    private let handler: any HTTPHandler
    private let configuration: HTTPServerConfiguration
    private var parser: HTTPRequestParser

    private var slots: [Slot] = []
    private var nextSequence: UInt64 = 0
    private var outbound: [UInt8] = []
    private var outboundOffset = 0

    /// No more requests are parsed: a `Connection: close` request, an
    /// error, or shutdown. Input that still arrives is discarded.
    private var stopReading = false
    /// Reading is paused because too many responses are outstanding.
    private var readPaused = false
    private var closeWhenFlushed = false
    private var lingering = false
    private var peerClosedInput = false
    private var shuttingDown = false
    private(set) var isClosed = false
    private var processingInput = false
    private var interest: UInt32 = 0

    private let acceptedAt: Int64
    private var requestStartedAt: Int64?
    private var bodyStartedAt: Int64?
    private var lastActivity: Int64
    private var lastWriteProgress: Int64
    private var lingerDeadline: Int64 = 0
    private var lingerDiscarded = 0
    private var servedRequests = 0

    init(fd: Int32, loop: EventLoop, handler: any HTTPHandler) {
        self.fd = fd
        self.loop = loop
        self.handler = handler
        self.configuration = loop.server.configuration
        self.parser = HTTPRequestParser(limits: configuration.parserLimits)
        let now = SystemCall.monotonicNanoseconds()
        self.acceptedAt = now
        self.lastActivity = now
        self.lastWriteProgress = now
        self.interest = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
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
        for _ in 0..<4 where !isClosed && !readPaused {
            let result: IOResult<Int>
            do {
                result = try SystemCall.read(fd, into: loop.readBuffer)
            } catch {
                close() // ECONNRESET and the like: the peer is gone.
                return
            }
            guard case .done(let count) = result else { return }
            let now = SystemCall.monotonicNanoseconds()
            lastActivity = now
            if count == 0 {
                peerClosedInput = true
                if lingering || (slots.isEmpty && outboundOffset == outbound.count) {
                    close()
                } else {
                    // Half-closed: answer what was asked, then close.
                    closeWhenFlushed = true
                    stopReading = true
                    setInterest(read: false, write: interest & EPOLLOUT.rawValue != 0)
                }
                return
            }
            if lingering {
                lingerDiscarded += count
                if lingerDiscarded > 1 << 20 { close() }
                continue
            }
            if stopReading { continue }
            parser.append(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<count]))
            if requestStartedAt == nil && parser.hasPartialRequest {
                requestStartedAt = servedRequests == 0 ? acceptedAt : now
            }
            processInput()
            if count < loop.readBuffer.count { return }
        }
    }

    /// Parses and dispatches every complete request that is buffered.
    private func processInput() {
        processingInput = true
        defer {
            processingInput = false
            flushReadySlots()
            writeOutbound()
            // Answers given synchronously may have freed room in the pipeline.
            if readPaused && !isClosed && slots.count < configuration.maximumPipelinedRequests {
                resumeReading()
            }
        }
        while !stopReading && !isClosed {
            if slots.count >= configuration.maximumPipelinedRequests {
                flushReadySlots()
                if slots.count >= configuration.maximumPipelinedRequests {
                    pauseReading()
                    return
                }
            }
            let output: HTTPRequestParser.Output?
            do {
                output = try parser.next()
            } catch {
                respondToParseError(error)
                return
            }
            guard let output else { break }
            switch output {
            case .expectsContinue:
                let sequence = nextSequence
                nextSequence += 1
                slots.append(Slot(sequence: sequence, bytes: Array("HTTP/1.1 100 Continue\r\n\r\n".utf8),
                                  closeAfter: false, version: .http11))
                if bodyStartedAt == nil { bodyStartedAt = SystemCall.monotonicNanoseconds() }
            case .request(let request):
                servedRequests += 1
                requestStartedAt = nil
                bodyStartedAt = nil
                let sequence = nextSequence
                nextSequence += 1
                let closeAfter = !request.keepAlive || shuttingDown
                slots.append(Slot(sequence: sequence, bytes: nil, closeAfter: closeAfter, version: request.version))
                if closeAfter { stopReading = true }
                loop.server.statistics.requests.add(1, ordering: .relaxed)
                handler.handle(request, responder: HTTPResponder(connection: self, sequence: sequence))
            }
        }
        let now = SystemCall.monotonicNanoseconds()
        if parser.isReceivingBody && bodyStartedAt == nil { bodyStartedAt = now }
        if parser.hasPartialRequest && requestStartedAt == nil {
            requestStartedAt = servedRequests == 0 ? acceptedAt : now
        }
    }

    private func respondToParseError(_ error: HTTPParseError) {
        stopReading = true
        loop.server.statistics.recordRejected(status: error.status)
        loop.server.logger.debug("rejected a request on connection \(fd): \(error)")
        let sequence = nextSequence
        nextSequence += 1
        slots.append(Slot(sequence: sequence, bytes: nil, closeAfter: true, version: .http11))
        complete(sequence, .text(error.status, error.reason + "\n", closeConnection: true))
    }

    // MARK: - Responses

    /// Stores the handler's response for `sequence` and writes whatever is
    /// now ready in order. Called on the loop thread.
    func complete(_ sequence: UInt64, _ response: HTTPResponse) {
        guard !isClosed, let index = slots.firstIndex(where: { $0.sequence == sequence }) else { return }
        var slot = slots[index]
        if response.closeConnection || shuttingDown {
            slot.closeAfter = true
            stopReading = true
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + response.body.count)
        response.serialize(into: &bytes, version: slot.version, keepAlive: !slot.closeAfter)
        slot.bytes = bytes
        slots[index] = slot
        if !processingInput {
            flushReadySlots()
            writeOutbound()
            if readPaused && slots.count < configuration.maximumPipelinedRequests && !isClosed {
                resumeReading()
            }
        }
    }

    private func flushReadySlots() {
        var ready = 0
        for slot in slots {
            guard let bytes = slot.bytes else { break }
            outbound.append(contentsOf: bytes)
            ready += 1
            if slot.closeAfter {
                closeWhenFlushed = true
                stopReading = true
                ready = slots.count // responses after a closing one are never sent
                break
            }
        }
        if ready > 0 { slots.removeFirst(ready) }
    }

    private func writeOutbound() {
        guard !isClosed else { return }
        while outboundOffset < outbound.count {
            let result: IOResult<Int>
            do {
                result = try outbound.withUnsafeBytes { bytes in
                    try SystemCall.write(fd, UnsafeRawBufferPointer(rebasing: bytes[outboundOffset...]))
                }
            } catch {
                close()
                return
            }
            switch result {
            case .done(let written):
                outboundOffset += written
                lastWriteProgress = SystemCall.monotonicNanoseconds()
            case .wouldBlock:
                setInterest(read: interest & EPOLLIN.rawValue != 0, write: true)
                return
            }
        }
        outbound.removeAll(keepingCapacity: outbound.capacity <= 64 * 1024)
        outboundOffset = 0
        lastActivity = SystemCall.monotonicNanoseconds()
        if interest & EPOLLOUT.rawValue != 0 {
            setInterest(read: interest & EPOLLIN.rawValue != 0, write: false)
        }
        if closeWhenFlushed && slots.isEmpty {
            beginLingeringClose()
        } else if shuttingDown && slots.isEmpty && !parser.hasPartialRequest {
            close()
        }
    }

    /// After the last response: send FIN, then read and discard until the
    /// client closes or the linger time passes, so that unread input does
    /// not turn into a reset that destroys the response in flight.
    private func beginLingeringClose() {
        guard !lingering else { return }
        if peerClosedInput {
            close()
            return
        }
        lingering = true
        lingerDeadline = SystemCall.monotonicNanoseconds() + configuration.lingerTimeout.nanoseconds
        SystemCall.shutdownWrite(fd)
        if readPaused { readPaused = false }
        setInterest(read: true, write: false)
    }

    // MARK: - Flow control

    private func pauseReading() {
        guard !readPaused else { return }
        readPaused = true
        setInterest(read: false, write: interest & EPOLLOUT.rawValue != 0)
    }

    private func resumeReading() {
        readPaused = false
        setInterest(read: true, write: interest & EPOLLOUT.rawValue != 0)
        processInput()
    }

    private func setInterest(read: Bool, write: Bool) {
        let wanted = (read ? EPOLLIN.rawValue | EPOLLRDHUP.rawValue : 0) | (write ? EPOLLOUT.rawValue : 0)
        guard wanted != interest, !isClosed else { return }
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
        if lingering {
            if now >= lingerDeadline { close() }
            return
        }
        if outboundOffset < outbound.count {
            if now - lastWriteProgress > configuration.writeTimeout.nanoseconds {
                loop.server.statistics.timeouts.add(1, ordering: .relaxed)
                close()
            }
            return
        }
        guard slots.isEmpty else { return } // our handler owes an answer; not the client's fault
        if parser.isReceivingBody {
            if let started = bodyStartedAt, now - started > configuration.bodyTimeout.nanoseconds {
                timeOut("the request body did not arrive within the body timeout")
            }
        } else if parser.hasPartialRequest {
            if let started = requestStartedAt, now - started > configuration.headerTimeout.nanoseconds {
                timeOut("the request head did not arrive within the header timeout")
            }
        } else if servedRequests == 0 {
            if now - acceptedAt > configuration.headerTimeout.nanoseconds {
                loop.server.statistics.timeouts.add(1, ordering: .relaxed)
                close() // sent nothing at all
            }
        } else if now - lastActivity > configuration.idleTimeout.nanoseconds {
            close() // an idle keep-alive connection
        }
    }

    private func timeOut(_ reason: String) {
        loop.server.statistics.timeouts.add(1, ordering: .relaxed)
        stopReading = true
        let sequence = nextSequence
        nextSequence += 1
        slots.append(Slot(sequence: sequence, bytes: nil, closeAfter: true, version: .http11))
        complete(sequence, .text(408, reason + "\n", closeConnection: true))
    }

    func beginShutdown() {
        shuttingDown = true
        if slots.isEmpty && outboundOffset == outbound.count && !parser.isReceivingBody {
            close()
        } else {
            stopReading = !parser.hasPartialRequest
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        SystemCall.close(fd)
        slots.removeAll()
        outbound = []
        loop.connectionDidClose(fd)
    }
}
