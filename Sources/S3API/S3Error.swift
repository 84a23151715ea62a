import Application
import HTTPServer
import Logging

/// An S3 error: the status, the code clients switch on, and a message for people. Answered as
/// S3 answers, an `application/xml` `<Error>` document (no body for HEAD, which the server sends
/// without one anyway).
struct S3Error: Error {
    /// The HTTP status.
    let status: Int
    /// S3's code: `NoSuchKey`, `PreconditionFailed`, `SignatureDoesNotMatch`, …
    let code: String
    /// What went wrong, for whoever reads it.
    let message: String
    /// Extra elements of the document (`Condition`, `StringToSign`, …), in order.
    var extra: [(String, String)] = []
    /// Seconds after which a retry may succeed (`Retry-After`), for 503s.
    var retryAfter: Int? = nil

    init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The answer to `request`: the XML document with the request ID as `RequestId`.
    func response(resource: String, requestID: String) -> Response {
        var document = XMLWriter()
        document.open("Error")
        document.element("Code", self.code)
        document.element("Message", self.message)
        for (name, value) in self.extra { document.element(name, value) }
        document.element("Resource", resource)
        document.element("RequestId", requestID)
        document.close("Error")
        var response = Response(
            status: HTTPStatus(code: self.status), headers: ["Content-Type": "application/xml"],
            body: document.bytes)
        if let seconds = self.retryAfter { response.headers.add(name: "Retry-After", value: String(seconds)) }
        response.logMetadata["reason"] = .string("\(self.code): \(self.message)")
        return response
    }
}

extension S3Error {
    static func notImplemented(_ what: String) -> S3Error {
        S3Error(501, "NotImplemented", "\(what) is not implemented by this server")
    }

    static func accessDenied(_ message: String) -> S3Error { S3Error(403, "AccessDenied", message) }

    static func invalidArgument(_ message: String) -> S3Error { S3Error(400, "InvalidArgument", message) }

    static func invalidRequest(_ message: String) -> S3Error { S3Error(400, "InvalidRequest", message) }

    static func noSuchKey(_ key: String) -> S3Error {
        S3Error(404, "NoSuchKey", "The specified key does not exist: \(key)")
    }

    /// 412: a conditional request whose condition does not hold.
    static func preconditionFailed(_ condition: String, _ message: String) -> S3Error {
        var error = S3Error(412, "PreconditionFailed", message)
        error.extra = [("Condition", condition)]
        return error
    }

    /// 503 `SlowDown`, which every S3 client waits on and retries.
    static func slowDown(_ message: String, retryAfter: Int) -> S3Error {
        var error = S3Error(503, "SlowDown", message)
        error.retryAfter = retryAfter
        return error
    }

    /// A use case's failure as S3 says it. Two choices matter to Terraform: a purged latest
    /// version is 403 `InvalidObjectState`, never `NoSuchKey` (which the s3 backend reads as "no
    /// state yet" and would start an empty one over); and a write refused by the lock or the
    /// serial/lineage check is a 409 whose code no SDK retries.
    init(_ error: ApplicationError, logger: Logger, requestID: String) {
        switch error.kind {
        case .invalidInput:
            self.init(400, "InvalidArgument", error.message)
        case .forbidden:
            self.init(403, "AccessDenied", error.message)
        case .notFound:
            self.init(404, "NoSuchKey", error.message)
        case .locked(let holder):
            self.init(
                409, "StateLocked",
                "\(error.message) (\(holder.info.operation) by \(holder.info.who) since \(holder.info.created))")
        case .conflict:
            self.init(409, "StateConflict", error.message)
        case .preconditionFailed:
            self.init(412, "PreconditionFailed", error.message)
        case .gone:
            self.init(403, "InvalidObjectState", error.message)
        case .unprocessable:
            self.init(400, "InvalidRequest", error.message)
        case .unavailable, .diskFull:
            // Every S3 client retries 503 with backoff; the store's own words (hosts, roles,
            // disks) go to the log and the client gets the request ID.
            self.init(503, "ServiceUnavailable", "\(error.message) (request id \(requestID))")
            self.retryAfter = 2
            logger.warning("store unavailable", metadata: ["error": .string(error.logDescription)])
        case .busy:
            self = .slowDown(error.message, retryAfter: 2)
        case .fault:
            self.init(
                500, "InternalError", "internal error; the server log has the details under request id \(requestID)")
            logger.error("request failed", metadata: ["error": .string(error.logDescription)])
        }
    }
}
