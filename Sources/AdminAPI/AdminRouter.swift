import ActiveSide
import AlipayNotify
import Foundation
import HTTPServer
import Ledger
import Logging
import Workers

/// The admin listener (who may ask: `AdminAccess`): register orders, look a trade up,
/// list and redeliver events. JSON in and out; every change goes through
/// the ledger writer like the notifications do.
///
///     POST /orders                       {"out_trade_no":"…","total_amount":"88.88","business_order":"…","expires_in":"15m"}
///     GET  /orders?state=open|paid|closed|expired|attention&limit=100
///     POST /business-orders/{id}/payments {"amount":"88.88","expires_in":"15m"} → 201 {"out_trade_no":"…"}
///     GET  /trades/{out_trade_no}
///     POST /trades/{out_trade_no}/refunds {"amount":"10.00","reason":"…","request_no":"…"}
///     GET  /events?state=pending|delivered|dead&kind=ship|refund|close|duplicate_payment&limit=100
///     POST /events/{id}/redeliver        (the id percent-encoded, e.g. ORDER1%2Fship)
package struct AdminRouter: HTTPHandler {
    let writer: LedgerWriter
    /// Reads (a trade, lists) go to the reading connection, not between the writer's batches.
    let reader: LedgerReader
    let logger: Logger
    /// Order expiry and first query time.
    let policy: ReconciliationPolicy
    let serials: PaymentSerials
    let refunds: OperatorRefunds
    /// Where requests that call Alipay wait for it: never an event loop.
    let blockingWork: BoundedWorkPool
    /// Routes added by others (health, metrics).
    let extraRoutes: [AdminRoute]
    /// Who may ask (Host, Origin, bearer tokens, JSON writes).
    let access: AdminAccess

    package init(writer: LedgerWriter, reader: LedgerReader, logger: Logger, policy: ReconciliationPolicy, serials: PaymentSerials, refunds: OperatorRefunds, blockingWork: BoundedWorkPool, extraRoutes: [AdminRoute], access: AdminAccess) {
        self.access = access
        self.writer = writer
        self.reader = reader
        self.logger = logger
        self.policy = policy
        self.serials = serials
        self.refunds = refunds
        self.blockingWork = blockingWork
        self.extraRoutes = extraRoutes
    }

    /// Every route of the admin listener, health and metrics included.
    package var table: AdminRouteTable {
        AdminRouteTable(extraRoutes + [
            AdminRoute("POST", "/orders", "register an order {\"out_trade_no\",\"total_amount\",\"business_order\",\"expires_in\"}") { request, _, responder in
                registerOrder(request.body, responder)
            },
            AdminRoute("GET", "/orders", "orders, newest first (?state=open|paid|closed|expired|attention&limit=100)") { request, _, responder in
                listOrders(Self.query(request.target), responder)
            },
            AdminRoute("POST", "/business-orders/{business_order}/payments", "a new payment serial {\"amount\",\"expires_in\"}") { request, parameters, responder in
                newSerial(parameters["business_order"]!, request.body, responder)
            },
            AdminRoute("GET", "/trades/{out_trade_no}", "everything known about one trade") { _, parameters, responder in
                let outTradeNo = parameters["out_trade_no"]!
                read({ store in try store.tradeDetails(outTradeNo) }, responder) { details in
                    guard let details else { return Self.json(404, LedgerJSON.error("no order, notification or trade \(outTradeNo)")) }
                    return Self.json(200, LedgerJSON.trade(details))
                }
            },
            AdminRoute("POST", "/trades/{out_trade_no}/refunds", "a refund {\"amount\",\"reason\",\"request_no\"}") { request, parameters, responder in
                refund(parameters["out_trade_no"]!, request.body, responder)
            },
            AdminRoute("GET", "/events", "events, oldest first (?state=pending|delivered|dead&kind=…&limit=100)") { request, _, responder in
                listEvents(Self.query(request.target), responder)
            },
            AdminRoute("POST", "/events/{id}/redeliver", "a dead event pending again (the id percent-encoded: ORDER1%2Fship)") { _, parameters, responder in
                redeliver(parameters["id"]!, responder)
            },
        ])
    }

    package func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        if let refusal = access.refusal(request) {
            if refusal.status != 401 {
                logger.warning("admin request refused: \(request.method) \(request.path): HTTP \(refusal.status)",
                               metadata: ["origin": "\(request.headers["Origin"] ?? "-")", "host": "\(request.headers["Host"] ?? "-")"])
            }
            return responder.respond(refusal)
        }
        switch table.resolve(method: request.method, path: request.path) {
        case .route(let route, let parameters):
            route.handle(request, parameters, responder)
        case .wrongMethod(let allowed):
            responder.respond(Self.json(405, LedgerJSON.error("use \(allowed.joined(separator: " or ")) \(request.path)"),
                                        allow: allowed.joined(separator: ", ")))
        case .notFound:
            responder.respond(Self.json(404, LedgerJSON.error("no such route: \(request.method) \(request.path); the routes are:\n\(table.listing)")))
        }
    }

    private func redeliver(_ id: String, _ responder: HTTPResponder) {
        perform({ store in try store.redeliver(id) }, responder) { result in
            switch result {
            case .redelivered:
                return Self.json(200, "{\"id\":\(JSONText.string(id)),\"state\":\"pending\"}")
            case .notFound:
                return Self.json(404, LedgerJSON.error("no event \(id)"))
            case .notDead(let state):
                return Self.json(409, LedgerJSON.error("event \(id) is \(state.rawValue); only dead events are redelivered"))
            }
        }
    }

    private func registerOrder(_ body: [UInt8], _ responder: HTTPResponder) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return responder.respond(Self.json(400, LedgerJSON.error("the body must be a JSON object: {\"out_trade_no\":\"…\",\"total_amount\":\"88.88\"}")))
        }
        guard let outTradeNo = object["out_trade_no"] as? String else {
            return responder.respond(Self.json(400, LedgerJSON.error("out_trade_no is missing or not a string")))
        }
        guard let amountText = object["total_amount"] as? String else {
            return responder.respond(Self.json(400, LedgerJSON.error("total_amount must be a string such as \"88.88\" (a JSON number could lose the exact amount)")))
        }
        guard let amount = Fen(decimal: amountText) else {
            return responder.respond(Self.json(400, LedgerJSON.error("total_amount '\(amountText)' must be yuan with at most two decimals, like \"88.88\"")))
        }
        let businessOrder = object["business_order"] as? String
        if object["business_order"] != nil && !(object["business_order"] is NSNull) && businessOrder == nil {
            return responder.respond(Self.json(400, LedgerJSON.error("business_order must be a string")))
        }
        let planned: (order: MerchantOrder, firstQueryAt: String)
        do {
            planned = try policy.newOrder(outTradeNo: outTradeNo, amount: amount, businessOrder: businessOrder, expiry: try Self.expiry(object))
        } catch {
            return responder.respond(Self.json(400, LedgerJSON.error("\(error)")))
        }
        let order = planned.order
        writer.perform({ store in try store.addOrder(planned.order, firstQueryAt: planned.firstQueryAt) }) { [logger] result in
            switch result {
            case .success(let added):
                if added { logger.info("order registered", metadata: ["out_trade_no": "\(outTradeNo)", "amount": "\(amount)"]) }
                responder.respond(Self.json(added ? 201 : 200, LedgerJSON.order(order)))
            case .failure(let error as OrderError):
                responder.respond(Self.json(409, LedgerJSON.error("\(error)")))
            case .failure(let error):
                responder.respond(Self.json(503, LedgerJSON.error("the ledger could not record the order: \(error)")))
            }
        }
    }

    /// `expires_in` ("15m") or `expires_at` (a time), at most one; nil for neither.
    static func expiry(_ object: [String: Any]) throws(OrderError) -> OrderExpiry? {
        let given = (object["expires_in"].flatMap { $0 is NSNull ? nil : $0 }, object["expires_at"].flatMap { $0 is NSNull ? nil : $0 })
        switch given {
        case (nil, nil):
            return nil
        case (let text as String, nil):
            return try OrderExpiry.duration(text)
        case (nil, let text as String):
            return try OrderExpiry.time(text)
        case (nil, _), (_, nil):
            throw .invalid("expires_in and expires_at are strings, like \"15m\" and \"2026-12-02T10:00:00Z\"")
        default:
            throw .invalid("give expires_in or expires_at, not both")
        }
    }

    private func newSerial(_ businessOrder: String, _ body: [UInt8], _ responder: HTTPResponder) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.isEmpty ? Array("{}".utf8) : body))) as? [String: Any] else {
            return responder.respond(Self.json(400, LedgerJSON.error("the body must be a JSON object: {\"amount\":\"88.88\",\"expires_in\":\"15m\"}")))
        }
        guard let amountText = object["amount"] as? String, let amount = Fen(decimal: amountText) else {
            return responder.respond(Self.json(400, LedgerJSON.error("amount must be a string in yuan with at most two decimals, like \"88.88\"")))
        }
        let expiry: OrderExpiry?
        do {
            expiry = try Self.expiry(object)
        } catch {
            return responder.respond(Self.json(400, LedgerJSON.error("\(error)")))
        }
        // Closing earlier serials calls Alipay: not on the event loop.
        runBlocking(responder) { [serials] in
            switch serials.newSerial(businessOrder: businessOrder, amount: amount, expiry: expiry) {
            case .created(let order):
                responder.respond(Self.json(201, "{\"out_trade_no\":\(JSONText.string(order.outTradeNo)),\"business_order\":\(JSONText.string(businessOrder)),"
                                            + "\"amount\":\"\(order.totalAmount)\",\"expires_at\":\(JSONText.string(order.expiresAt ?? "")),\"order\":\(LedgerJSON.order(order))}"))
            case .conflict(let reason):
                responder.respond(Self.json(409, LedgerJSON.error(reason)))
            case .inProgress(let reason):
                var busy = Self.json(409, LedgerJSON.error(reason))
                busy.headers.append(("Retry-After", "1"))
                responder.respond(busy)
            case .invalid(let reason):
                responder.respond(Self.json(400, LedgerJSON.error(reason)))
            case .unavailable(let reason):
                responder.respond(Self.json(503, LedgerJSON.error(reason)))
            }
        }
    }

    private func refund(_ outTradeNo: String, _ body: [UInt8], _ responder: HTTPResponder) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return responder.respond(Self.json(400, LedgerJSON.error("the body must be a JSON object: {\"amount\":\"10.00\",\"reason\":\"…\",\"request_no\":\"…\"}")))
        }
        guard let amountText = object["amount"] as? String, let amount = Fen(decimal: amountText), amount > .zero else {
            return responder.respond(Self.json(400, LedgerJSON.error("amount must be a string in yuan with at most two decimals, more than 0, like \"10.00\"")))
        }
        guard let reason = object["reason"] as? String else {
            return responder.respond(Self.json(400, LedgerJSON.error("reason is missing: Alipay shows it to the buyer")))
        }
        let requestNo = object["request_no"] as? String
        if object["request_no"] != nil && !(object["request_no"] is NSNull) && requestNo == nil {
            return responder.respond(Self.json(400, LedgerJSON.error("request_no must be a string")))
        }
        // The first attempt calls Alipay: not on the event loop.
        runBlocking(responder) { [refunds] in
            switch refunds.refund(outTradeNo: outTradeNo, amount: amount, reason: reason, requestNo: requestNo) {
            case .request(let request, let new):
                responder.respond(Self.json(new ? 201 : 200, LedgerJSON.refund(request)))
            case .refused(let reason):
                responder.respond(Self.json(409, LedgerJSON.error(reason)))
            case .unavailable(let reason):
                responder.respond(Self.json(503, LedgerJSON.error(reason)))
            }
        }
    }

    private func listOrders(_ query: [String: String], _ responder: HTTPResponder) {
        var state: OrderState?
        if let text = query["state"] {
            guard let parsed = OrderState(rawValue: text) else {
                return responder.respond(Self.json(400, LedgerJSON.error("state must be open, paid, closed, expired or attention")))
            }
            state = parsed
        }
        let limit = query["limit"].flatMap(Int.init) ?? 100
        guard (1...10_000).contains(limit) else {
            return responder.respond(Self.json(400, LedgerJSON.error("limit must be 1 to 10000")))
        }
        let filter = state
        read({ store in try store.orders(state: filter, limit: limit) }, responder) { orders in
            Self.json(200, "{\"orders\":[" + orders.map(LedgerJSON.order).joined(separator: ",") + "]}")
        }
    }

    private func listEvents(_ query: [String: String], _ responder: HTTPResponder) {
        var state: OutboxEventState?
        var kind: LedgerEventKind?
        if let text = query["state"] {
            guard let parsed = OutboxEventState(rawValue: text) else {
                return responder.respond(Self.json(400, LedgerJSON.error("state must be pending, delivered or dead")))
            }
            state = parsed
        }
        if let text = query["kind"] {
            guard let parsed = LedgerEventKind(rawValue: text) else {
                return responder.respond(Self.json(400, LedgerJSON.error("kind must be ship, refund, close or duplicate_payment")))
            }
            kind = parsed
        }
        let limit = query["limit"].flatMap(Int.init) ?? 100
        guard (1...10_000).contains(limit) else {
            return responder.respond(Self.json(400, LedgerJSON.error("limit must be 1 to 10000")))
        }
        let filter = (state: state, kind: kind)
        read({ store in try store.events(state: filter.state, kind: filter.kind, limit: limit) }, responder) { events in
            Self.json(200, LedgerJSON.events(events))
        }
    }

    /// Runs `work` on the pool for blocking work, or answers 503 at once
    /// when it is full (every thread waiting on Alipay and the queue full).
    private func runBlocking(_ responder: HTTPResponder, _ work: @escaping @Sendable () -> Void) {
        guard blockingWork.submit(work) else {
            var busy = Self.json(503, LedgerJSON.error(
                "\(blockingWork.threads + blockingWork.queueLimit) requests that call Alipay are in progress or waiting already; try again shortly"))
            busy.headers.append(("Retry-After", "\(Self.retryAfterSeconds)"))
            return responder.respond(busy)
        }
    }

    /// What a client that found the pool full is told to wait.
    static let retryAfterSeconds = 2

    private func read<T: Sendable>(_ work: @escaping @Sendable (any LedgerStore) throws -> T, _ responder: HTTPResponder,
                                   _ render: @escaping @Sendable (T) -> HTTPResponse) {
        reader.read(work) { result in Self.answer(result, responder, render) }
    }

    private static func answer<T>(_ result: Result<T, any Error>, _ responder: HTTPResponder, _ render: (T) -> HTTPResponse) {
        switch result {
        case .success(let value): responder.respond(render(value))
        case .failure(let error): responder.respond(Self.json(503, LedgerJSON.error("the ledger is unavailable: \(error)")))
        }
    }

    private func perform<T: Sendable>(_ work: @escaping @Sendable (any LedgerStore) throws -> T, _ responder: HTTPResponder,
                                      _ render: @escaping @Sendable (T) -> HTTPResponse) {
        writer.perform(work) { result in Self.answer(result, responder, render) }
    }

    static func json(_ status: Int, _ body: String, allow: String? = nil) -> HTTPResponse {
        var headers = [("Content-Type", "application/json")]
        if let allow { headers.append(("Allow", allow)) }
        return HTTPResponse(status: status, headers: headers, body: Array((body + "\n").utf8))
    }

    static func decoded<S: StringProtocol>(_ text: S) -> String {
        AdminRouteTable.decoded(text)
    }

    static func query(_ target: String) -> [String: String] {
        guard let question = target.firstIndex(of: "?") else { return [:] }
        var result: [String: String] = [:]
        for pair in target[target.index(after: question)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[decoded(parts[0])] = parts.count > 1 ? decoded(parts[1]) : ""
        }
        return result
    }
}
