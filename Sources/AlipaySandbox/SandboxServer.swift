import AlipayNotify
import Dispatch
import Foundation
import HTTPServer
import Locking

/// The sandbox's one listener: `POST /gateway.do` answers as Alipay's
/// gateway, and `/sandbox/…` is the control API that plays the buyer and
/// the bad days (create, pay, finish and close trades; arm faults; list the
/// calls answered). JSON in and out; every route answers POST (what the
/// commands send), reads also GET.
public final class SandboxServer: HTTPHandler {
    let gateway: SandboxGateway
    let book: SandboxTradeBook
    let configuration: SandboxConfiguration
    let notifications: NotificationSchedule
    private let notifyCounter: Locked<Int>

    public init(configuration: SandboxConfiguration, book: SandboxTradeBook, notifications: NotificationSchedule,
                now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }) {
        self.configuration = configuration
        self.book = book
        self.notifications = notifications
        let counter = Locked(0)
        notifyCounter = counter
        gateway = SandboxGateway(configuration: configuration, book: book, now: now) { trade in
            // A refund that moved money is notified where the payment was.
            guard let url = trade.notifyURL else { return }
            let number = counter.withLock { counter -> Int in counter += 1; return counter }
            if let body = try? notifications.body(for: trade, appID: configuration.appID, sellerID: configuration.sellerID,
                                                  notifyID: "sandbox-\(trade.tradeNo)-\(number)") {
                notifications.deliver(body, to: url, timeScale: trade.timeScale)
            }
        }
    }

    public func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        let path = request.path
        if path == "/gateway.do" {
            guard request.method == "POST" || request.method == "GET" else { return responder.respond(.text(405, "POST gateway.do\n")) }
            let query = request.target.firstIndex(of: "?").map { request.target[request.target.index(after: $0)...] } ?? ""
            let (body, delay) = gateway.answer(body: request.body, query: query)
            let response = HTTPResponse(status: 200, headers: [("Content-Type", "application/json;charset=utf-8")], body: body)
            if delay > 0 {
                DispatchQueue.global().asyncAfter(deadline: .now() + delay) { responder.respond(response) }
            } else {
                responder.respond(response)
            }
            return
        }
        guard path.hasPrefix("/sandbox/") else { return responder.respond(Self.json(404, ["error": "no such route: \(path)"])) }
        responder.respond(control(request.method, path.dropFirst("/sandbox/".count).split(separator: "/").map(String.init),
                                  body: SandboxGateway.object(String(decoding: request.body, as: UTF8.self)) ?? [:],
                                  query: request.target))
    }

    /// The control API's routes.
    func control(_ method: String, _ parts: [String], body: [String: Any], query: String) -> HTTPResponse {
        switch (method, parts.first, parts.count) {
        case ("POST", "trades", 1):
            guard let outTradeNo = body["out_trade_no"] as? String, !outTradeNo.isEmpty,
                  let amount = SandboxGateway.amount(body["total_amount"]), amount > .zero else {
                return Self.json(400, ["error": "give out_trade_no and total_amount (\"88.88\")"])
            }
            return Self.json(201, Self.document(book.create(outTradeNo, totalAmount: amount)))
        case ("GET", "trades", 2):
            guard let trade = book.trade(parts[1]) else { return Self.json(404, ["error": "no trade \(parts[1])"]) }
            return Self.json(200, Self.document(trade))
        case ("POST", "trades", 3) where parts[2] == "show":
            guard let trade = book.trade(parts[1]) else { return Self.json(404, ["error": "no trade \(parts[1])"]) }
            return Self.json(200, Self.document(trade))
        case ("POST", "trades", 3):
            return change(parts[1], parts[2], body: body)
        case ("POST", "faults", 1):
            guard let outTradeNo = body["out_trade_no"] as? String, let methodName = body["method"] as? String,
                  SandboxGateway.methods.contains(methodName),
                  let fault = (body["fault"] as? String).flatMap(SandboxFault.init(rawValue:)) else {
                let faults = SandboxFault.allCases.map(\.rawValue).joined(separator: ", ")
                return Self.json(400, ["error": "give out_trade_no, method (\(SandboxGateway.methods.joined(separator: ", "))) and fault (\(faults))"])
            }
            let times = (body["times"] as? NSNumber)?.intValue ?? 1
            var armed = ArmedFault(fault: fault, outTradeNo: outTradeNo, method: methodName, remaining: times > 0 ? times : nil,
                                   delaySeconds: (body["delay_seconds"] as? NSNumber)?.doubleValue ?? 30)
            if fault == .anotherTrade {
                guard let other = body["other"] as? String, !other.isEmpty else {
                    return Self.json(400, ["error": "another-trade needs other: the out_trade_no whose answer is given instead"])
                }
                armed.other = (other, body["other_request_no"] as? String)
            }
            book.arm(armed)
            return Self.json(201, ["armed": fault.rawValue, "times": times > 0 ? "\(times)" : "until cleared"])
        case ("DELETE", "faults", 1):
            book.clearFaults()
            return Self.json(200, ["cleared": "all"])
        case ("POST", "faults", 2) where parts[1] == "clear":
            book.clearFaults()
            return Self.json(200, ["cleared": "all"])
        case ("GET", "calls", 1), ("POST", "calls", 1):
            let filter = query.firstRange(of: "out_trade_no=").map { String(query[$0.upperBound...].prefix { $0 != "&" }) }
            let calls = book.calls(outTradeNo: filter)
            var counts: [String: Int] = [:]
            for call in calls { counts[call.method, default: 0] += 1 }
            let list: [[String: Any]] = calls.map { call in
                ["method": call.method, "out_trade_no": call.outTradeNo ?? NSNull(), "code": call.code,
                 "sub_code": call.subCode ?? NSNull(), "fault": call.fault ?? NSNull(), "at": call.at,
                 "received_at_us": Int64(call.receivedAt * 1_000_000)]
            }
            return Self.json(200, ["calls": list, "counts": counts])
        default:
            return Self.json(404, ["error": "no such route: \(method) /sandbox/\(parts.joined(separator: "/"))"])
        }
    }

    /// pay, finish, close: what the buyer (or time) does to a trade; the
    /// notification follows when `notify_url` is given.
    private func change(_ outTradeNo: String, _ action: String, body: [String: Any]) -> HTTPResponse {
        if action == "pay", book.trade(outTradeNo) == nil {
            guard let amount = SandboxGateway.amount(body["total_amount"]), amount > .zero else {
                return Self.json(404, ["error": "no trade \(outTradeNo): create it, or give total_amount to pay a new one"])
            }
            book.create(outTradeNo, totalAmount: amount)
        }
        var refusal: String?
        let updated = book.update(outTradeNo) { trade in
            switch (action, trade.status) {
            case ("pay", .waitBuyerPay):
                trade.status = .tradeSuccess
                trade.paidAt = SandboxGateway.chinaNow()
            case ("finish", .tradeSuccess):
                trade.status = .tradeFinished
            case ("close", .waitBuyerPay):
                trade.status = .tradeClosed
            case ("pay", _), ("finish", _), ("close", _):
                refusal = "cannot \(action) a trade in \(trade.status.rawValue)"
            default:
                refusal = "no such action '\(action)': pay, finish or close"
            }
        }
        guard var trade = updated else { return Self.json(404, ["error": "no trade \(outTradeNo)"]) }
        if let refusal { return Self.json(409, ["error": refusal]) }
        if let url = body["notify_url"] as? String, !url.isEmpty {
            let timeScale = (body["time_scale"] as? NSNumber)?.doubleValue ?? 1
            trade = book.update(outTradeNo) { $0.notifyURL = url; $0.timeScale = timeScale } ?? trade
            let number = notifyCounter.withLock { counter -> Int in counter += 1; return counter }
            do {
                let notification = try notifications.body(for: trade, appID: configuration.appID, sellerID: configuration.sellerID,
                                                          notifyID: "sandbox-\(trade.tradeNo)-\(number)")
                notifications.deliver(notification, to: url, timeScale: (body["time_scale"] as? NSNumber)?.doubleValue ?? 1)
            } catch {
                return Self.json(500, ["error": "cannot sign the notification: \(error)"])
            }
        }
        return Self.json(200, Self.document(trade))
    }

    static func document(_ trade: SandboxTrade) -> [String: Any] {
        ["out_trade_no": trade.outTradeNo, "trade_no": trade.tradeNo, "trade_status": trade.status.rawValue,
         "total_amount": trade.totalAmount.description, "paid_at": trade.paidAt ?? NSNull(),
         "refunded": trade.refundedTotal.description]
    }

    static func json(_ status: Int, _ object: [String: Any]) -> HTTPResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(data) + [0x0A])
    }
}
