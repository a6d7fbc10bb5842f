import SystemSupport

/// The lifecycle of one HTTP connection, kept apart from its socket.
///
/// Events come in (bytes read, a request parsed, a handler answered, output
/// written, the peer closed, a deadline check, shutdown) and each returns
/// what `Connection` must do about it. No descriptors and no clock (times
/// are arguments), so every transition is tested without a socket.
///
/// It also keeps the pipeline: one slot per request in request order, so a
/// response is handed out for writing only after every response before it,
/// whatever order the handler answers in, and nothing after a closing one.
struct ConnectionStateMachine {
    /// Where the connection is in its life.
    enum State: Equatable {
        /// Requests are read and answered.
        case open(Input)
        /// No more requests are parsed and the end is decided.
        case finishing(Finishing)
        /// FIN sent: input is read and discarded until the peer closes, a
        /// megabyte has been thrown away, or `deadline` passes, so that unread
        /// input does not turn into a reset that destroys the last response.
        case lingering(deadline: Int64, discarded: Int)
        /// The socket is closed; nothing is read or written again.
        case closed
    }

    /// What an open connection does with its input.
    enum Input: Equatable {
        /// Reads and parses requests.
        case reading
        /// Does not read: as many responses as the pipeline holds are
        /// outstanding (backpressure). Reading resumes when one is written.
        case paused
        /// Reads and discards: a request asked to close, a request was
        /// malformed or timed out, or the server is shutting down. The
        /// responses already owed are still written.
        case ignoring
    }

    /// How a finishing connection ends.
    enum Finishing: Equatable {
        /// The closing response is out of the pipeline: once it is written,
        /// send FIN and linger.
        case thenLinger
        /// The peer closed its sending side: answer what it asked, then close.
        case thenClose
    }

    /// How far the request being received has come, as the parser sees it.
    enum RequestProgress: Equatable {
        case idle
        case head
        case body
    }

    /// What the connection must do after an event.
    enum Action: Equatable {
        case none
        /// Responses are ready: take them (`takeReadyResponses`) and write them.
        case writeResponses
        /// Shut down the sending side (FIN) and keep reading, to discard.
        case shutDownOutputAndLinger
        /// Close the socket.
        case close
        /// A client was too slow: count a timeout, then close.
        case timeOutAndClose
        /// A client was too slow: count a timeout, then write the 408 queued for it.
        case timeOutAndWriteResponses
    }

    /// What to do with bytes just read.
    enum ReadAction: Equatable {
        /// Give them to the parser.
        case parse
        /// Throw them away.
        case discard
        /// Close the socket (too much input while lingering).
        case close
    }

    /// A response ready to be written, in request order.
    struct Outgoing {
        let content: Content
        let version: HTTPRequest.Version
        /// False for the last response of the connection.
        let keepAlive: Bool
    }

    /// What a slot of the pipeline holds once it is answered.
    enum Content {
        /// The interim `100 Continue` of an `Expect: 100-continue` request.
        case continue100
        case response(HTTPResponse)
    }

    /// A response position in request order; `content` is nil until the
    /// handler answers.
    private struct Slot {
        let sequence: UInt64
        var content: Content?
        var closeAfter: Bool
        let version: HTTPRequest.Version
    }

    /// The connection's time limits in nanoseconds, and the pipeline depth.
    struct Limits {
        var headerTimeout: Int64
        var bodyTimeout: Int64
        var idleTimeout: Int64
        var writeTimeout: Int64
        var lingerTimeout: Int64
        var maximumPipelinedRequests: Int

        init(_ configuration: HTTPServerConfiguration) {
            headerTimeout = configuration.headerTimeout.inNanoseconds
            bodyTimeout = configuration.bodyTimeout.inNanoseconds
            idleTimeout = configuration.idleTimeout.inNanoseconds
            writeTimeout = configuration.writeTimeout.inNanoseconds
            lingerTimeout = configuration.lingerTimeout.inNanoseconds
            maximumPipelinedRequests = configuration.maximumPipelinedRequests
        }
    }

    /// Input discarded while lingering beyond which the socket just closes.
    static let maximumLingerDiscard = 1 << 20

    private(set) var state: State = .open(.reading)
    /// Bytes handed out by `takeReadyResponses` are not all written yet.
    private(set) var isOutputPending = false
    /// Shutdown was requested: every response from now on closes.
    private(set) var isShuttingDown = false
    private let limits: Limits
    private var slots: [Slot] = []
    private var nextSequence: UInt64 = 0

    private let acceptedAt: Int64
    private var servedRequests = 0
    private var requestStartedAt: Int64?
    private var bodyStartedAt: Int64?
    private var lastActivity: Int64
    private var lastWriteProgress: Int64

    init(limits: Limits, acceptedAt now: Int64) {
        self.limits = limits
        self.acceptedAt = now
        self.lastActivity = now
        self.lastWriteProgress = now
    }

    // MARK: - Questions

    /// Whether the socket should be read now.
    var wantsToRead: Bool {
        switch state {
        case .open(.reading), .open(.ignoring), .finishing(.thenLinger), .lingering: return true
        case .open(.paused), .finishing(.thenClose), .closed: return false
        }
    }

    /// Whether buffered input may be parsed into another request.
    var parsesRequests: Bool { state == .open(.reading) }

    /// Whether as many requests are outstanding as the pipeline holds.
    var isPipelineFull: Bool { slots.count >= limits.maximumPipelinedRequests }

    /// Requests parsed (and the interim responses) whose responses are not
    /// yet handed out for writing.
    var outstandingResponses: Int { slots.count }

    // MARK: - Input

    /// `count` bytes (more than zero) were read.
    mutating func bytesRead(_ count: Int, now: Int64) -> ReadAction {
        lastActivity = now
        switch state {
        case .open(.reading):
            return .parse
        case .lingering(let deadline, let discarded):
            let total = discarded + count
            if total > Self.maximumLingerDiscard { return .close }
            state = .lingering(deadline: deadline, discarded: total)
            return .discard
        case .open(.paused), .open(.ignoring), .finishing, .closed:
            return .discard
        }
    }

    /// The parser holds `progress` after new input was buffered or parsed:
    /// starts the header and body deadlines.
    mutating func inputBuffered(_ progress: RequestProgress, now: Int64) {
        if progress == .body && bodyStartedAt == nil { bodyStartedAt = now }
        if progress != .idle && requestStartedAt == nil {
            // The first request's head is due within the header timeout of the accept.
            requestStartedAt = servedRequests == 0 ? acceptedAt : now
        }
    }

    /// The peer closed its sending side (read returned 0).
    mutating func peerClosed(now: Int64) -> Action {
        lastActivity = now
        switch state {
        case .closed:
            return .none
        case .lingering:
            return .close
        case .open, .finishing:
            if slots.isEmpty && !isOutputPending { return .close }
            // Half-closed: answer what was asked, then close.
            state = .finishing(.thenClose)
            return .none
        }
    }

    // MARK: - Requests and responses

    /// The parser saw `Expect: 100-continue` before the body: the interim
    /// response takes the next place in the pipeline, ready at once.
    mutating func expectsContinue(now: Int64) {
        appendSlot(.continue100, closeAfter: false, version: .http11)
        if bodyStartedAt == nil { bodyStartedAt = now }
    }

    /// A complete request was parsed. Returns its place in the pipeline,
    /// which its responder answers for.
    mutating func requestParsed(version: HTTPRequest.Version, keepAlive: Bool) -> UInt64 {
        servedRequests += 1
        requestStartedAt = nil
        bodyStartedAt = nil
        let closeAfter = !keepAlive || isShuttingDown
        if closeAfter { stopParsing() }
        return appendSlot(nil, closeAfter: closeAfter, version: version)
    }

    /// The input is malformed: its error response closes the connection,
    /// after the responses owed before it.
    mutating func parseFailed(_ error: HTTPParseError) {
        queueClosingResponse(.text(error.status, error.reason + "\n", closeConnection: true))
    }

    /// The handler answered request `sequence`. False when that answer is
    /// not wanted: the request was answered already or the connection closed.
    mutating func handlerAnswered(_ sequence: UInt64, with response: HTTPResponse) -> Bool {
        guard state != .closed,
              let index = slots.firstIndex(where: { $0.sequence == sequence }),
              slots[index].content == nil else { return false }
        if response.closeConnection || isShuttingDown {
            slots[index].closeAfter = true
            stopParsing()
        }
        slots[index].content = .response(response)
        return true
    }

    /// The responses that may be written now: the answered ones at the head
    /// of the pipeline, up to and including a closing one. Responses after a
    /// closing one are never sent. The write deadline runs from `now` when
    /// output was not pending before.
    mutating func takeReadyResponses(now: Int64) -> [Outgoing] {
        guard state != .closed else { return [] }
        var ready: [Outgoing] = []
        var taken = 0
        for slot in slots {
            guard let content = slot.content else { break }
            ready.append(Outgoing(content: content, version: slot.version, keepAlive: !slot.closeAfter))
            taken += 1
            if slot.closeAfter {
                if case .open = state { state = .finishing(.thenLinger) }
                taken = slots.count
                break
            }
        }
        slots.removeFirst(taken)
        if !ready.isEmpty && !isOutputPending {
            isOutputPending = true
            lastWriteProgress = now
        }
        return ready
    }

    /// Some output was written.
    mutating func wroteBytes(now: Int64) {
        lastWriteProgress = now
    }

    /// Everything handed out has been written (or there was nothing to write).
    mutating func outputDrained(now: Int64, progress: RequestProgress) -> Action {
        isOutputPending = false
        lastActivity = now
        switch state {
        case .finishing(.thenLinger) where slots.isEmpty:
            state = .lingering(deadline: now + limits.lingerTimeout, discarded: 0)
            return .shutDownOutputAndLinger
        case .finishing(.thenClose) where slots.isEmpty:
            return .close
        case .open where isShuttingDown && slots.isEmpty && progress == .idle:
            return .close
        default:
            return .none
        }
    }

    /// There is room in the pipeline again after a pause: true when reading
    /// resumes (and what is buffered must be parsed).
    mutating func resumeIfRoom() -> Bool {
        guard state == .open(.paused), !isPipelineFull else { return false }
        state = .open(.reading)
        return true
    }

    /// The pipeline is full: stop reading until a response is written.
    mutating func pauseReading() {
        if state == .open(.reading) { state = .open(.paused) }
    }

    // MARK: - Deadlines, shutdown, close

    /// Checks the deadline that applies now, with the parser at `progress`.
    mutating func checkDeadlines(now: Int64, progress: RequestProgress) -> Action {
        switch state {
        case .closed:
            return .none
        case .lingering(let deadline, _):
            return now >= deadline ? .close : .none
        case .open, .finishing:
            break
        }
        if isOutputPending {
            // A client that does not read its responses.
            return now - lastWriteProgress > limits.writeTimeout ? .timeOutAndClose : .none
        }
        guard slots.isEmpty else { return .none } // our handler owes an answer; not the client's fault
        switch progress {
        case .body:
            if let started = bodyStartedAt, now - started > limits.bodyTimeout {
                queueClosingResponse(.text(408, "the request body did not arrive within the body timeout\n", closeConnection: true))
                return .timeOutAndWriteResponses
            }
        case .head:
            if let started = requestStartedAt, now - started > limits.headerTimeout {
                queueClosingResponse(.text(408, "the request head did not arrive within the header timeout\n", closeConnection: true))
                return .timeOutAndWriteResponses
            }
        case .idle:
            if servedRequests == 0 {
                if now - acceptedAt > limits.headerTimeout { return .timeOutAndClose } // sent nothing at all
            } else if now - lastActivity > limits.idleTimeout {
                return .close // an idle keep-alive connection
            }
        }
        return .none
    }

    /// The server is shutting down: close now when nothing is owed and no
    /// body is arriving; otherwise finish the request in progress (its
    /// response closes) and parse no other.
    mutating func shutdownRequested(progress: RequestProgress) -> Action {
        guard state != .closed else { return .none }
        isShuttingDown = true
        if slots.isEmpty && !isOutputPending && progress != .body { return .close }
        if progress == .idle { stopParsing() }
        return .none
    }

    /// The socket is being closed, whatever the reason. False when it was
    /// closed already, so that it is closed once.
    mutating func close() -> Bool {
        guard state != .closed else { return false }
        state = .closed
        slots.removeAll()
        isOutputPending = false
        return true
    }

    // MARK: - Helpers

    /// Adds the next position in the pipeline and returns its sequence number.
    @discardableResult
    private mutating func appendSlot(_ content: Content?, closeAfter: Bool, version: HTTPRequest.Version) -> UInt64 {
        let sequence = nextSequence
        nextSequence += 1
        slots.append(Slot(sequence: sequence, content: content, closeAfter: closeAfter, version: version))
        return sequence
    }

    /// Queues a response of our own that ends the connection.
    private mutating func queueClosingResponse(_ response: HTTPResponse) {
        stopParsing()
        appendSlot(.response(response), closeAfter: true, version: .http11)
    }

    private mutating func stopParsing() {
        if case .open = state { state = .open(.ignoring) }
    }
}
