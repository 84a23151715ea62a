import HTTPServer
import WebAPI
import WebUI

/// The server's one responder: `/ui` pages to the web UI (when it is on), everything else to the
/// API, which never reads the pages' session cookie.
struct Routes: HTTPResponder {
    let api: StatehouseAPI
    let ui: WebUI?

    func admit(_ request: IncomingRequest) -> Admission {
        guard let ui = self.ui else { return self.api.admit(request) }
        let path = request.head.target.rawPath
        if path == "/ui" || path.hasPrefix("/ui/") { return ui.admit(request) }
        if path == "/", request.method == "GET" || request.method == "HEAD" {
            return .refuse(
                Response(status: HTTPStatus(code: 303), headers: ["Location": "/ui/", "Content-Length": "0"]))
        }
        return self.api.admit(request)
    }
}
