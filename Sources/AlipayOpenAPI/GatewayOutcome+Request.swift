extension GatewayOutcome {
    /// The business parameters an answer names that must be the request's:
    /// the order, and the refund request where the request had one.
    static let subjectFields = ["out_trade_no", "out_request_no"]

    /// This outcome as the answer to `request`. A verified success is about
    /// what it names; when it names another order or refund request than
    /// the one asked about, or a query's answer names no order at all, it
    /// may be true but answers something else: unknown, so that it decides
    /// nothing, is recorded as such, and the order is asked again. (The
    /// method is the request's by construction: the answer's node is read
    /// by the method's name.)
    public func answering(_ request: GatewayRequest) -> GatewayOutcome {
        guard case .success(let success) = self else { return self }
        guard success.method == request.method else {
            return .unknown(.answersAnotherRequest(field: "method", asked: request.method.rawValue, answered: success.method.rawValue))
        }
        for field in Self.subjectFields {
            guard let asked = request.bizContent.text(field) else { continue }
            switch success.fields.nonEmptyString(field) {
            case asked?:
                continue
            case let answered?:
                return .unknown(.answersAnotherRequest(field: field, asked: asked, answered: answered))
            case nil where field == "out_trade_no" && request.method == .tradeQuery:
                return .unknown(.answersAnotherRequest(field: field, asked: asked, answered: nil))
            case nil:
                continue
            }
        }
        return self
    }
}
