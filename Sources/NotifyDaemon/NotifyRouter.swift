import HTTPServer

/// Routes of the notify listener: `POST {notify-path}` and `GET /healthz`;
/// any other path is 404, any other method 405.
package struct NotifyRouter: HTTPHandler {
    let notifyPath: String
    let endpoint: NotificationEndpoint

    package func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        switch request.path {
        case notifyPath[...]:
            guard request.method == "POST" else {
                return responder.respond(Self.methodNotAllowed(allow: "POST"))
            }
            endpoint.handle(request, responder: responder)
        case "/healthz":
            guard request.method == "GET" else {
                return responder.respond(Self.methodNotAllowed(allow: "GET"))
            }
            responder.respond(.text(200, "ok\n"))
        default:
            responder.respond(.text(404, "not found: this listener serves POST \(notifyPath) and GET /healthz\n"))
        }
    }

    static func methodNotAllowed(allow: String) -> HTTPResponse {
        var response = HTTPResponse.text(405, "method not allowed; use \(allow)\n")
        response.headers.append(("Allow", allow))
        return response
    }
}
