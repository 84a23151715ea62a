import Application
import CoreMetrics
import Domain
import HTTPServer
import Logging
import SystemSupport

/// The driving adapter: turns HTTP requests into use-case calls and their results into
/// responses. Errors become short JSON bodies (`{"error": "…"}`); a 5xx means a real fault.
public struct StatehouseAPI: HTTPResponder {
    /// The use cases the API drives; the composition root builds them.
    public struct UseCases: Sendable {
        let read: ReadState
        let write: WriteState
        let lock: LockState
        let unlock: UnlockState
        let delete: DeleteState
        let listStates: ListStates
        let showState: ShowState
        let listLocks: ListLocks
        let forceUnlock: ForceUnlock
        let listVersions: ListVersions
        let purgeVersion: PurgeVersion
        let rollback: RollbackState
        let diff: DiffVersions
        let restore: RestoreState
        let audit: ReadAudit
        let readiness: CheckReadiness
        let lockSummary: SummarizeLocks

        /// Collects the use cases.
        public init(
            read: ReadState, write: WriteState, lock: LockState, unlock: UnlockState, delete: DeleteState,
            listStates: ListStates, showState: ShowState, listLocks: ListLocks, forceUnlock: ForceUnlock,
            listVersions: ListVersions, purgeVersion: PurgeVersion, rollback: RollbackState, diff: DiffVersions,
            restore: RestoreState, audit: ReadAudit, readiness: CheckReadiness, lockSummary: SummarizeLocks
        ) {
            self.read = read
            self.write = write
            self.lock = lock
            self.unlock = unlock
            self.delete = delete
            self.listStates = listStates
            self.showState = showState
            self.listLocks = listLocks
            self.forceUnlock = forceUnlock
            self.listVersions = listVersions
            self.purgeVersion = purgeVersion
            self.rollback = rollback
            self.diff = diff
            self.restore = restore
            self.audit = audit
            self.readiness = readiness
            self.lockSummary = lockSummary
        }
    }

    let clock: any WallClock
    let useCases: UseCases
    let verifier: any CredentialVerifier
    let metrics: APIMetrics
    let metricsEndpoint: MetricsEndpoint?

    /// Creates the API; with `metrics`, it counts what its use cases decide and serves
    /// `GET /metrics`.
    public init(
        useCases: UseCases, verifier: any CredentialVerifier, clock: any WallClock, metrics: MetricsEndpoint? = nil
    ) {
        self.useCases = useCases
        self.verifier = verifier
        self.clock = clock
        self.metrics = APIMetrics(factory: metrics?.factory ?? NOOPMetricsHandler.instance)
        self.metricsEndpoint = metrics
    }

    /// Routes one request.
    public func respond(to request: Request) -> Response {
        var response = self.route(request)
        if response.route == nil { response.route = "unmatched" }
        return response
    }

    private func route(_ request: Request) -> Response {
        switch request.path {
        case "/healthz":
            return Self.readOnly(request, route: "health") { .json(.ok, #"{"status":"ok"}"#) }
        case "/readyz":
            return Self.readOnly(request, route: "health") { self.readiness(request) }
        case ManagementRoute.documentPath:
            return Self.readOnly(request, route: "api") { .json(.ok, OpenAPIDocument.json) }
        case "/metrics":
            if let endpoint = self.metricsEndpoint {
                return Self.readOnly(request, route: "metrics") { self.scrape(request, endpoint) }
            }
        default:
            break
        }
        let management = ManagementRoute(rawPath: request.head.target.rawPath)
        let route = ProtocolRoute(path: request.path)
        guard management != nil || route != nil else {
            return .error(.notFound, "no route for \(request.path)")
        }
        var response = self.authenticated(request) { caller in
            if let management { self.serve(management, request, caller) } else { self.serve(route!, request, caller) }
        }
        response.route = management != nil ? "api" : route!.routeClass(for: request.method)
        return response
    }

    /// Answers GET and HEAD with `answer`, other methods with 405.
    private static func readOnly(_ request: Request, route: String, _ answer: () -> Response) -> Response {
        var response =
            request.method == "GET" || request.method == "HEAD"
            ? answer() : .methodNotAllowed(allowed: ["GET", "HEAD"])
        response.route = route
        return response
    }

    /// `/readyz`: 200 when the store answers, 503 while it does not.
    private func readiness(_ request: Request) -> Response {
        do {
            try self.useCases.readiness.execute()
            return .json(.ok, #"{"status":"ready"}"#)
        } catch {
            // The reason (host, role, libpq's words) goes to the log only: /readyz needs no login.
            request.logger.warning("not ready", metadata: ["error": .string(error.logDescription)])
            var response = Response.error(.serviceUnavailable, "the store is not answering; the server log says why")
            response.headers.add(name: "Retry-After", value: "2")
            return response
        }
    }

    /// `/metrics`: the lock gauges refreshed, then everything in Prometheus text format.
    private func scrape(_ request: Request, _ endpoint: MetricsEndpoint) -> Response {
        if endpoint.requireAuth {
            return self.authenticated(request) { _ in self.exposition(endpoint, request) }
        }
        return self.exposition(endpoint, request)
    }

    private func exposition(_ endpoint: MetricsEndpoint, _ request: Request) -> Response {
        do {
            self.metrics.record(try self.useCases.lockSummary.execute())
        } catch {
            // The lock gauges keep their last values; the requests that failed meanwhile are
            // counted in statehouse_store_errors_total.
            request.logger.warning("lock gauges not refreshed", metadata: ["error": .string(error.logDescription)])
        }
        return Response(
            status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
            body: endpoint.exposition())
    }

    /// Runs `answer` for the authenticated caller, or answers 401 (503 when logins are
    /// saturated). The access line gets the user's name.
    private func authenticated(_ request: Request, _ answer: (Caller) -> Response) -> Response {
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
        var response = answer(Caller(principal, address: host(of: request.remoteAddress), requestID: request.id))
        response.logMetadata["user"] = .string(principal.name)
        return response
    }

    /// The response for a failed use case, counted in the metrics.
    func failure(_ error: ApplicationError, _ request: Request) -> Response {
        self.metrics.record(error)
        return Response(error, request: request)
    }

    private func serve(_ route: ProtocolRoute, _ request: Request, _ caller: Caller) -> Response {
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
            case .read: response = try self.read(name, request, caller)
            case .write: response = try self.write(name, request, caller)
            case .lock: response = try self.lock(name, request, caller)
            case .unlock: response = try self.unlock(name, request, caller)
            case .delete: response = try self.delete(name, request, caller)
            }
        } catch {
            if action == .lock, case .locked = error.kind { self.metrics.lockConflicts.increment() }
            response = self.failure(error, request)
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
            self = Response(status: .conflict, headers: ["Content-Type": "application/json"], body: holder.info.json)
        case .conflict:
            self = .error(.conflict, error.message)
        case .gone:
            self = .error(HTTPStatus(code: 410), error.message)
        case .unprocessable:
            self = .error(HTTPStatus(code: 422), error.message)
        case .unavailable:
            // Clients retry 503 and honour Retry-After (protocol.md §4). The store's own words
            // name hosts and roles: they go to the log, the client gets the request id.
            self = .error(.serviceUnavailable, "\(error.message) (request id \(request.id))")
            self.headers.add(name: "Retry-After", value: "2")
            request.logger.warning("store unavailable", metadata: ["error": .string(error.logDescription)])
        case .fault:
            self = .error(
                .internalServerError, "internal error; the server log has the details under request id \(request.id)")
            request.logger.error("request failed", metadata: ["error": .string(error.logDescription)])
        }
        self.logMetadata["reason"] = .string(error.message)
    }
}

/// The host part of `address:port` or `[v6address]:port`.
func host(of address: String) -> String {
    if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
        return String(address[address.index(after: address.startIndex)..<close])
    }
    guard let colon = address.lastIndex(of: ":"), address.firstIndex(of: ":") == colon else { return address }
    return String(address[..<colon])
}
