import HTTPServer
import S3API
import WebAPI
import WebUI

/// The server's one responder: `/ui` pages to the web UI and the S3 endpoint's path to the S3
/// API (each when it is on), everything else to the API, which never reads the pages' session
/// cookie nor takes S3 signatures.
struct Routes: HTTPResponder {
    let api: StatehouseAPI
    let ui: WebUI?
    var s3: S3API? = nil

    func admit(_ request: IncomingRequest) -> Admission {
        let path = request.head.target.rawPath
        if let s3 = self.s3, s3.serves(rawPath: path) { return s3.admit(request) }
        guard let ui = self.ui else { return self.api.admit(request) }
        if path == "/ui" || path.hasPrefix("/ui/") { return ui.admit(request) }
        if path == "/", request.method == "GET" || request.method == "HEAD" {
            return .refuse(
                Response(status: HTTPStatus(code: 303), headers: ["Location": "/ui/", "Content-Length": "0"]))
        }
        return self.api.admit(request)
    }
}
