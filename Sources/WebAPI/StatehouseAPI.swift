import Application
import CoreMetrics
import Domain
import HTTPServer
import Logging
import SystemSupport

/// The driving adapter: turns HTTP requests into use-case calls and their results into
/// responses. Errors become short JSON bodies (`{"error": "…"}`); a 5xx means a real fault.
public final class StatehouseAPI: HTTPResponder, Sendable {
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
        let outputs: ShowOutputs
        let restore: RestoreState
        let audit: ReadAudit
        let readiness: CheckReadiness
        let lockSummary: SummarizeLocks
        let createToken: CreateToken
        let listTokens: ListTokens
        let revokeToken: RevokeToken
        /// The permits diffs and rollbacks take at the head (and large uncompressed reads in `read`).
        let heavyWork: HeavyWork

        /// Collects the use cases.
        public init(
            read: ReadState, write: WriteState, lock: LockState, unlock: UnlockState, delete: DeleteState,
            listStates: ListStates, showState: ShowState, listLocks: ListLocks, forceUnlock: ForceUnlock,
            listVersions: ListVersions, purgeVersion: PurgeVersion, rollback: RollbackState, diff: DiffVersions,
            outputs: ShowOutputs, restore: RestoreState, audit: ReadAudit, readiness: CheckReadiness,
            lockSummary: SummarizeLocks,
            createToken: CreateToken, listTokens: ListTokens, revokeToken: RevokeToken, heavyWork: HeavyWork
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
            self.outputs = outputs
            self.restore = restore
            self.audit = audit
            self.readiness = readiness
            self.lockSummary = lockSummary
            self.createToken = createToken
            self.listTokens = listTokens
            self.revokeToken = revokeToken
            self.heavyWork = heavyWork
        }
    }

    let clock: any WallClock
    let useCases: UseCases
    let authenticator: Authenticator
    let metrics: APIMetrics
    let metricsEndpoint: MetricsEndpoint?

    /// Creates the API; with `metrics`, it counts what its use cases decide and serves
    /// `GET /metrics`.
    public init(
        useCases: UseCases, authenticator: Authenticator, clock: any WallClock, metrics: MetricsEndpoint? = nil
    ) {
        self.useCases = useCases
        self.authenticator = authenticator
        self.clock = clock
        self.metrics = APIMetrics(factory: metrics?.factory ?? NOOPMetricsHandler.instance)
        self.metricsEndpoint = metrics
    }

    /// The largest body of a request that needs no login, of a management GET, and of a protocol
    /// GET, HEAD or DELETE.
    static let smallBodyBytes = 4 << 10
    /// The largest management API body.
    static let documentBodyBytes = 64 << 10

    /// Decides from the head: the route, the method, the login, the access the route needs and how
    /// large a body may follow. Anything refused here is answered before a body byte is read.
    public func admit(_ request: IncomingRequest) -> Admission {
        switch request.path {
        case "/healthz":
            return Self.readOnly(request, route: "health") { _ in .json(.ok, #"{"status":"ok"}"#) }
        case "/readyz":
            return Self.readOnly(request, route: "health") { self.readiness($0) }
        case ManagementRoute.documentPath:
            return Self.readOnly(request, route: "api") { _ in .json(.ok, OpenAPIDocument.json) }
        case "/metrics":
            if let endpoint = self.metricsEndpoint {
                let scrape = Self.readOnly(request, route: "metrics") { self.exposition(endpoint, $0) }
                guard endpoint.requireAuth, case .accept = scrape else { return scrape }
                // Users of the configuration only: an API token or a CI job's ID token (any
                // repository can get one for a public issuer) is not a scraper.
                return self.authenticated(request, route: "metrics") { caller in
                    guard caller.principal.identity == .user else {
                        return .refuse(
                            Response.error(.forbidden, "only users of [[users]] may read the metrics")
                                .labelled("metrics"))
                    }
                    return scrape
                }
            }
        default:
            break
        }
        if let management = ManagementRoute(rawPath: request.head.target.rawPath) {
            return self.authenticated(request, route: "api") { caller in self.admit(management, request, caller) }
        }
        if let route = ProtocolRoute(path: request.path) {
            return self.authenticated(request, route: route.routeClass(for: request.method)) { caller in
                self.admit(route, request, caller)
            }
        }
        return .refuse(Response.error(.notFound, "no route for \(request.path)").labelled("unmatched"))
    }

    /// GET and HEAD answered by `answer` (with a small body limit); other methods 405.
    private static func readOnly(
        _ request: IncomingRequest, route: String, _ answer: @escaping @Sendable (Request) -> Response
    ) -> Admission {
        guard request.method == "GET" || request.method == "HEAD" else {
            return .refuse(Response.methodNotAllowed(allowed: ["GET", "HEAD"]).labelled(route))
        }
        return .accept(maxBodyBytes: Self.smallBodyBytes) { answer($0).labelled(route) }
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

    /// Decides with `admit` for the authenticated caller, or refuses with 401 (503 when logins are
    /// saturated, 429 when held back after failed logins). Every answer's access line gets the user's name.
    private func authenticated(
        _ request: IncomingRequest, route: String, _ admit: (Caller) -> Admission
    ) -> Admission {
        let principal: Principal
        switch self.authenticate(request) {
        case .accepted(let accepted):
            principal = accepted
        case .rejected:
            return .refuse(Response.unauthenticated().labelled(route))
        case .busy:
            var response = Response.error(.serviceUnavailable, "too many logins being checked; try again")
            response.headers.add(name: "Retry-After", value: "2")
            return .refuse(response.labelled(route))
        case .unavailable(let why):
            var response = Response.error(
                .serviceUnavailable, "these credentials cannot be checked now: \(why); try again")
            response.headers.add(name: "Retry-After", value: "2")
            return .refuse(response.labelled(route))
        case .throttled(let seconds):
            return .refuse(Response.throttled(retryAfter: seconds).labelled(route))
        }
        let caller = Caller(principal, address: request.remoteHost, requestID: request.id)
        switch admit(caller) {
        case .refuse(var response):
            response.logMetadata["user"] = .string(principal.name)
            return .refuse(response)
        case .accept(let maxBodyBytes, let respond):
            return .accept(maxBodyBytes: maxBodyBytes) { request in
                var response = respond(request)
                response.logMetadata["user"] = .string(principal.name)
                return response
            }
        }
    }

    /// The response for a failed use case, counted in the metrics.
    func failure(_ error: ApplicationError, _ logger: Logger, requestID: String) -> Response {
        self.metrics.outcomes.record(error)
        return Response(error, logger: logger, requestID: requestID)
    }

    /// A protocol request: its method, its state's name, the access its action needs and, for a
    /// change, that no web page sent it are settled from the head; a write may bring a body up to
    /// the server's limit, a lock or unlock a LockInfo.
    private func admit(_ route: ProtocolRoute, _ request: IncomingRequest, _ caller: Caller) -> Admission {
        let label = route.routeClass(for: request.method)
        guard let action = route.action(for: request.method) else {
            return .refuse(Response.methodNotAllowed(allowed: route.allowedMethods).labelled(label))
        }
        if action != .read, let refusal = CrossSiteGuard.refusal(request.headers) {
            return .refuse(refusal.labelled(label))
        }
        let name: StateName
        do {
            name = try StateName(route.name)
            try caller.principal.require(action.access, on: name, changing: action.changes)
        } catch let error as DomainError {
            return .refuse(Response.error(.badRequest, error.description).labelled(label))
        } catch let error as ApplicationError {
            return .refuse(self.failure(error, request.logger, requestID: request.id).labelled(label))
        } catch {
            return .refuse(Response.error(.badRequest, "\(error)").labelled(label))
        }
        let limit: Int
        switch action {
        case .write: limit = .max
        case .lock, .unlock: limit = LockInfo.maxBodyBytes
        case .read, .delete: limit = Self.smallBodyBytes
        }
        return .accept(maxBodyBytes: limit) { request in
            self.serve(action, name, request, caller).labelled(label)
        }
    }

    private func serve(_ action: ProtocolRoute.Action, _ name: StateName, _ request: Request, _ caller: Caller)
        -> Response
    {
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
            response = self.failure(error, request.logger, requestID: request.id)
        }
        response.logMetadata["state"] = .string(name.rawValue)
        return response
    }

    /// Checks the request's Basic or Bearer credentials or, without an `Authorization` header, its
    /// verified TLS client certificate.
    private func authenticate(_ request: IncomingRequest) -> CredentialCheck {
        let address = request.remoteHost
        guard let header = request.headers["Authorization"] else {
            guard let certificate = request.clientCertificate else { return .rejected }
            return self.authenticator.authenticate(.certificate(commonName: certificate.commonName), from: address)
        }
        guard let credentials = Self.credentials(header) else { return .rejected }
        return self.authenticator.authenticate(credentials, from: address)
    }

    /// `Basic <base64 of user:password>` or `Bearer <token>`, schemes in any case; `nil` for
    /// anything else.
    static func credentials(_ header: String) -> PresentedCredentials? {
        guard let space = header.firstIndex(of: " ") else { return nil }
        let scheme = header[..<space].lowercased()
        let value = header[space...].drop { $0 == " " }
        switch scheme {
        case "basic":
            guard let decoded = Base64.decode(value), let credentials = String(validating: decoded, as: UTF8.self),
                let colon = credentials.firstIndex(of: ":")
            else { return nil }
            return .basic(
                username: String(credentials[..<colon]),
                password: String(credentials[credentials.index(after: colon)...]))
        case "bearer":
            let token = value.trimmingSpaces()
            return token.isEmpty ? nil : .bearer(token)
        default:
            return nil
        }
    }
}

extension Response {
    /// The response with `route` as its metrics label.
    func labelled(_ route: String) -> Response {
        var response = self
        response.route = route
        return response
    }

    /// 401 with the Basic challenge. Never 404: Terraform reads 404 as "no state yet".
    static func unauthenticated() -> Response {
        var response = Response.error(.unauthorized, "authentication required")
        response.headers.add(name: "WWW-Authenticate", value: #"Basic realm="statehouse", charset="UTF-8""#)
        return response
    }

    /// 429 with `Retry-After`: a login held back after repeated failures. Terraform and OpenTofu
    /// wait that long and retry.
    static func throttled(retryAfter seconds: Int) -> Response {
        var response = Response.error(
            HTTPStatus(code: 429),
            "too many failed logins from this address or for this user; try again in \(seconds) s")
        response.headers.add(name: "Retry-After", value: String(seconds))
        return response
    }

    /// The response for a failed use case; the log gets what the client may not see.
    init(_ error: ApplicationError, logger: Logger, requestID: String) {
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
        case .preconditionFailed:
            self = .error(HTTPStatus(code: 412), error.message)
        case .gone:
            self = .error(HTTPStatus(code: 410), error.message)
        case .unprocessable:
            self = .error(HTTPStatus(code: 422), error.message)
        case .unavailable:
            // Clients retry 503 and honour Retry-After (protocol.md §4). The store's own words
            // name hosts and roles: they go to the log, the client gets the request id.
            self = .error(.serviceUnavailable, "\(error.message) (request id \(requestID))")
            self.headers.add(name: "Retry-After", value: "2")
            logger.warning("store unavailable", metadata: ["error": .string(error.logDescription)])
        case .diskFull:
            // 503, not 507: the clients' retry policy honours Retry-After only on 429 and 503
            // (protocol.md). Reads keep working; the log says which disk.
            self = .error(.serviceUnavailable, "\(error.message) (request id \(requestID))")
            self.headers.add(name: "Retry-After", value: "2")
            logger.error("disk full", metadata: ["error": .string(error.logDescription)])
        case .busy:
            self = .error(.serviceUnavailable, error.message)
            self.headers.add(name: "Retry-After", value: "2")
        case .fault:
            self = .error(
                .internalServerError, "internal error; the server log has the details under request id \(requestID)")
            logger.error("request failed", metadata: ["error": .string(error.logDescription)])
        }
        self.logMetadata["reason"] = .string(error.message)
    }
}
