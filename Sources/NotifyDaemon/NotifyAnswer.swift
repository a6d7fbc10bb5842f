import HTTPServer
import Ledger

/// The answers Alipay reads. Only the body `success` stops its retries; the
/// status and the `X-Notifyd-Reason` header tell a person why it was `fail`.
package enum NotifyAnswer {
    /// 200 `success`: recorded durably (or recorded before).
    static let success = HTTPResponse.text(200, "success")

    /// 400: not a valid form, or not signed by Alipay's key.
    static func badRequest(_ code: String) -> HTTPResponse { fail(400, code) }

    /// 422: authentic, but refused by a business check (and quarantined).
    static func rejected(_ code: String) -> HTTPResponse { fail(422, code) }

    /// 503: the ledger could not record it now; Alipay will retry.
    static let unavailable = fail(503, "ledger_unavailable")

    static func fail(_ status: Int, _ code: String) -> HTTPResponse {
        var response = HTTPResponse.text(status, "fail")
        response.headers.append(("X-Notifyd-Reason", code))
        return response
    }

    static func forOutcome(_ outcome: LedgerOutcome) -> HTTPResponse {
        switch outcome {
        case .recorded, .duplicate: return success
        case .rejected(let reason): return rejected(reason.code)
        case .unavailable: return unavailable
        }
    }
}
