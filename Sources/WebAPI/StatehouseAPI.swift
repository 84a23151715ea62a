import Application
import Domain
import HTTPServer
import Logging

/// The driving adapter: turns HTTP requests into use-case calls and their results into
/// responses. Errors become short JSON bodies (`{"error": "…"}`); a 5xx means a real fault.
public struct StatehouseAPI: HTTPResponder {
    /// The use cases the API drives.
    public struct UseCases: Sendable {
        let read: ReadState
        let write: WriteState
        let lock: LockState
        let unlock: UnlockState
        let delete: DeleteState

        /// Bundles the use cases.
        public init(read: ReadState, write: WriteState, lock: LockState, unlock: UnlockState, delete: DeleteState) {
            self.read = read
            self.write = write
            self.lock = lock
            self.unlock = unlock
            self.delete = delete
        }
    }

    let useCases: UseCases
    let verifier: any CredentialVerifier

    /// Creates the API.
    public init(useCases: UseCases, verifier: any CredentialVerifier) {
        self.useCases = useCases
        self.verifier = verifier
    }

    /// Routes one request.
    public func respond(to request: Request) -> Response {
        if request.path == "/healthz" {
            guard request.method == "GET" || request.method == "HEAD" else {
                return .methodNotAllowed(allowed: ["GET", "HEAD"])
            }
            return .json(.ok, #"{"status":"ok"}"#)
        }
        guard let route = ProtocolRoute(path: request.path) else {
            return .error(.notFound, "no route for \(request.path)")
        }
        let principal: Principal
        switch self.authenticate(request) {
        case .accepted(let accepted):
            principal = accepted
        case .rejected:
            return .unauthenticated()
        case .busy:
            var response = Response.error(.serviceUnavailable, "too many logins being checked; try again")
            response.headers.add(name: "Retry-After", value: "2")
            return response
        }
        var response = self.serve(route, request, principal)
        response.logMetadata["user"] = .string(principal.name)
        return response
    }

    private func serve(_ route: ProtocolRoute, _ request: Request, _ principal: Principal) -> Response {
        guard let action = route.action(for: request.method) else {
            return .methodNotAllowed(allowed: route.allowedMethods)
        }
        let name: StateName
        do {
            name = try StateName(route.name)
        } catch {
            return .error(.badRequest, error.description)
        }
        var response: Response
        do {
            switch action {
            case .read: response = try self.read(name, request, principal)
            case .write: response = try self.write(name, request, principal)
            case .lock: response = try self.lock(name, request, principal)
            case .unlock: response = try self.unlock(name, request, principal)
            case .delete: response = try self.delete(name, request, principal)
            }
        } catch {
            response = Response(error, request: request)
        }
        response.logMetadata["state"] = .string(name.rawValue)
        return response
    }

    /// Checks the request's Basic credentials or, without an `Authorization` header, its
    /// verified TLS client certificate.
    private func authenticate(_ request: Request) -> CredentialCheck {
        guard let header = request.headers["Authorization"] else {
            let principal = request.clientCertificate.flatMap {
                self.verifier.verify(certificateCommonName: $0.commonName)
            }
            return principal.map { .accepted($0) } ?? .rejected
        }
        guard header.utf8.count > 6, header.prefix(6).lowercased() == "basic ",
            let decoded = Base64.decode(header.dropFirst(6).drop { $0 == " " }),
            let credentials = String(validating: decoded, as: UTF8.self),
            let colon = credentials.firstIndex(of: ":")
        else { return .rejected }
        return self.verifier.verify(
            username: String(credentials[..<colon]), password: String(credentials[credentials.index(after: colon)...]))
    }
}

extension Response {
    /// 401 with the Basic challenge. Never 404: Terraform reads 404 as "no state yet".
    static func unauthenticated() -> Response {
        var response = Response.error(.unauthorized, "authentication required")
        response.headers.add(name: "WWW-Authenticate", value: #"Basic realm="statehouse", charset="UTF-8""#)
        return response
    }

    /// The response for a failed use case.
    init(_ error: ApplicationError, request: Request) {
        switch error.kind {
        case .invalidInput:
            self = .error(.badRequest, error.message)
        case .forbidden:
            self = .error(.forbidden, error.message)
        case .notFound:
            self = .error(.notFound, error.message)
        case .locked(let holder):
            // The holder's LockInfo exactly as it sent it: clients print it and read its ID.
            self = Response(status: .conflict, headers: ["Content-Type": "application/json"], body: holder.json)
        case .conflict:
            self = .error(.conflict, error.message)
        case .unavailable:
            // Clients retry 503 and honour Retry-After (protocol.md §4).
            self = .error(.serviceUnavailable, error.message)
            self.headers.add(name: "Retry-After", value: "2")
            request.logger.warning("store unavailable", metadata: ["error": .string(error.message)])
        case .fault:
            self = .error(
                .internalServerError, "internal error; the server log has the details under request id \(request.id)")
            request.logger.error("request failed", metadata: ["error": .string(error.message)])
        }
        self.logMetadata["reason"] = .string(error.message)
    }
}
