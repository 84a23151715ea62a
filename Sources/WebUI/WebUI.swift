import Application
import CoreMetrics
import Domain
import HTTPServer
import Logging

/// The driving adapter for people: HTML pages under `/ui/`, rendered on the server, over the same
/// use cases, grants and audit log as the management API.
///
/// A page needs a session: a sign-in form (or a verified client certificate) starts one, a cookie
/// that only `/ui/` pages receive carries it, and every change is a form that carries the session's
/// CSRF token. The protocol and API routes never read that cookie.
public final class WebUI: HTTPResponder, Sendable {
    /// The use cases the pages drive; the composition root builds them.
    public struct UseCases: Sendable {
        let sessions: SessionUseCases
        let listStates: ListStates
        let showState: ShowState
        let showOutputs: ShowOutputs
        let listVersions: ListVersions
        let read: ReadState
        let diff: DiffVersions
        let rollback: RollbackState
        let forceUnlock: ForceUnlock
        let delete: DeleteState
        let restore: RestoreState
        let listLocks: ListLocks
        let audit: ReadAudit
        /// The permits diffs and rollbacks take at the head, shared with the API.
        let heavyWork: HeavyWork

        /// Collects the use cases.
        public init(
            sessions: SessionUseCases, listStates: ListStates,
            showState: ShowState, showOutputs: ShowOutputs, listVersions: ListVersions, read: ReadState,
            diff: DiffVersions,
            rollback: RollbackState, forceUnlock: ForceUnlock, delete: DeleteState, restore: RestoreState,
            listLocks: ListLocks, audit: ReadAudit, heavyWork: HeavyWork
        ) {
            self.sessions = sessions
            self.listStates = listStates
            self.showState = showState
            self.showOutputs = showOutputs
            self.listVersions = listVersions
            self.read = read
            self.diff = diff
            self.rollback = rollback
            self.forceUnlock = forceUnlock
            self.delete = delete
            self.restore = restore
            self.listLocks = listLocks
            self.audit = audit
            self.heavyWork = heavyWork
        }
    }

    /// How the pages behave.
    public struct Settings: Sendable {
        /// Whether the session cookie is `Secure` (the server listens with TLS).
        public var secureCookies: Bool
        /// How long a lock is held before the pages call it stale.
        public var staleLockAfter: Duration

        /// Creates settings.
        public init(secureCookies: Bool = false, staleLockAfter: Duration = .seconds(3600)) {
            self.secureCookies = secureCookies
            self.staleLockAfter = staleLockAfter
        }
    }

    let useCases: UseCases
    let clock: any WallClock
    let settings: Settings
    let templates: WebTemplates
    let outcomes: OutcomeMetrics

    /// Creates the pages, counting what their use cases decide through `metrics` (under the API's
    /// names); throws if a template is malformed.
    public init(
        useCases: UseCases, clock: any WallClock, settings: Settings = Settings(),
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) throws {
        self.useCases = useCases
        self.clock = clock
        self.settings = settings
        self.templates = try WebTemplates()
        self.outcomes = OutcomeMetrics(factory: metrics)
    }

    /// The largest body of a request that sends no form.
    static let smallBodyBytes = 4 << 10

    /// Decides from the head: the page, the method, the session and, for a change, that the request
    /// comes from this site's own pages. The CSRF token is in the form, so it is checked once the
    /// (small) body is read.
    public func admit(_ request: IncomingRequest) -> Admission {
        let response = self.decide(request)
        switch response {
        case .refuse(let response):
            return .refuse(Self.finished(response).compressed(for: request.headers))
        case .accept(let maxBodyBytes, let respond):
            return .accept(maxBodyBytes: maxBodyBytes) { Self.finished(respond($0)).compressed(for: $0.headers) }
        }
    }

    private func decide(_ request: IncomingRequest) -> Admission {
        guard let route = UIRoute(rawPath: request.head.target.rawPath) else {
            return .refuse(self.errorPage(.notFound, "Page not found", "There is no page at this address.", nil))
        }
        guard route.allowedMethods.contains(request.method) else {
            var response = self.errorPage(
                .methodNotAllowed, "Method not allowed",
                "This page answers \(route.allowedMethods.joined(separator: ", ")).", nil)
            response.headers.add(name: "Allow", value: route.allowedMethods.joined(separator: ", "))
            return .refuse(response)
        }
        let post = request.method == "POST"
        switch route {
        case .asset(let file):
            return .refuse(self.asset(file, request))
        case .home:
            return .refuse(Self.redirect("/ui/states"))
        case .signIn where !post:
            return .refuse(self.signInPage(request))
        case .signIn:
            if let refusal = self.formRefusal(request) { return .refuse(refusal) }
            return .accept(maxBodyBytes: Form.maxBytes) { self.signIn($0) }
        default:
            break
        }
        // A page opened from another site comes without the SameSite=Strict cookie: one click on
        // this site's own link brings it (and a client certificate starts no session for a request
        // another site made).
        if !post, SessionCookie.secret(in: request.headers) == nil, request.headers.fromAnotherSite {
            return .refuse(self.continuePage(request.head.target))
        }
        let session: WebSession
        let cookie: String?
        switch self.session(for: request) {
        case .signedIn(let found, let newCookie):
            (session, cookie) = (found, newCookie)
        case .signedOut(let stale):
            var response = Self.redirect(post ? "/ui/sign-in" : Self.signInPath(next: request.head.target))
            if stale { response.headers.add(name: "Set-Cookie", value: self.clearingCookie) }
            return .refuse(response)
        case .failed(let response):
            return .refuse(response)
        }
        let caller = Caller(session.principal, address: request.remoteHost, requestID: request.id)
        let page = PageContext(session: session, caller: caller, flash: Flash.read(request.headers))
        var permit: HeavyWork.Permit? = nil
        if let operation = route.heavyOperation(post: post) {
            guard let taken = self.useCases.heavyWork.permit(for: operation) else {
                let busy = ApplicationError(.busy, HeavyWork.busyMessage)
                return .refuse(self.signedIn(self.failurePage(busy, page, request.logger, request.id), page, cookie))
            }
            permit = taken
        }
        if post {
            if let refusal = self.formRefusal(request) {
                permit?.release()
                return .refuse(self.signedIn(refusal, page, cookie))
            }
            return .accept(maxBodyBytes: Form.maxBytes) { [permit] request in
                // Given back once answered; a request abandoned before then gives it back as it is dropped.
                defer { permit?.release() }
                guard let form = Form(request.body) else {
                    return self.errorPage(.badRequest, "Bad form", "The form's data could not be read.", page)
                }
                guard let token = form["csrf"], session.acceptsCSRF(token) else {
                    return self.errorPage(
                        .forbidden, "Form expired",
                        "This form was not sent from a page of your current session (it may be from before you "
                            + "signed in again). Go back, reload the page and send it again.", page)
                }
                return self.signedIn(self.change(route, form, page, request), page, cookie, state: route.stateName)
            }
        }
        return .accept(maxBodyBytes: Self.smallBodyBytes) { [permit] request in
            defer { permit?.release() }
            return self.signedIn(self.show(route, page, request), page, cookie, state: route.stateName)
        }
    }

    /// The signed-in caller and what every page shows of them.
    struct PageContext {
        let session: WebSession
        let caller: Caller
        let flash: Flash?
    }

    /// `response` with the cookie of a session just started (by a client certificate), if any, and the
    /// user's name (and the state's) for the access log.
    private func signedIn(_ response: Response, _ page: PageContext, _ cookie: String?, state: String? = nil)
        -> Response
    {
        var response = response
        if let cookie { response.headers.add(name: "Set-Cookie", value: cookie) }
        response.logMetadata["user"] = .string(page.caller.principal.name)
        if let state { response.logMetadata["state"] = .string(state) }
        return response
    }

    private enum SessionLookup {
        case signedIn(WebSession, cookie: String?)
        /// No session; `stale` when the request brought a cookie that no longer names one.
        case signedOut(stale: Bool)
        case failed(Response)
    }

    /// The request's session: its cookie's, or a new one for a verified client certificate.
    private func session(for request: IncomingRequest) -> SessionLookup {
        let secret = SessionCookie.secret(in: request.headers)
        if let secret {
            do {
                if let session = try self.useCases.sessions.resume.execute(secret: secret) {
                    return .signedIn(session, cookie: nil)
                }
            } catch {
                return .failed(self.failurePage(error, nil, request.logger, request.id))
            }
        }
        guard let certificate = request.clientCertificate else { return .signedOut(stale: secret != nil) }
        switch self.useCases.sessions.start.execute(
            .certificate(commonName: certificate.commonName), from: request.remoteHost,
            requestID: request.id)
        {
        case .started(let newSecret, let session):
            return .signedIn(session, cookie: self.cookie(newSecret, session))
        case .rejected:
            return .signedOut(stale: secret != nil)
        case .busy, .unavailable, .throttled:
            return .failed(
                self.errorPage(
                    .serviceUnavailable, "Try again", "Your certificate could not be checked just now; try again.",
                    nil))
        }
    }

    /// The `Set-Cookie` value for a new session.
    func cookie(_ secret: String, _ session: WebSession) -> String {
        let seconds = max(0, (session.expiresAt.microseconds - self.clock.now().microseconds) / 1_000_000)
        return SessionCookie.setting(secret, maxAge: seconds, secure: self.settings.secureCookies)
    }

    var clearingCookie: String { SessionCookie.clearing(secure: self.settings.secureCookies) }

    /// The refusal for a POST that a page of another site could have sent, or that is not a form.
    /// The `SameSite=Strict` cookie and the CSRF token already stop a forged change; this also stops a
    /// forged sign-in, which has neither.
    private func formRefusal(_ request: IncomingRequest) -> Response? {
        let type = request.headers["Content-Type"]?.split(separator: ";").first.map { $0.lowercased() }
        guard type?.drop(while: { $0 == " " }) == "application/x-www-form-urlencoded" else {
            return self.errorPage(
                HTTPStatus(code: 415), "Not a form", "Pages send application/x-www-form-urlencoded forms.", nil)
        }
        guard request.headers.fromAnotherSite else { return nil }
        return self.errorPage(
            .forbidden, "Refused", "A page of another site tried to send this form; nothing was changed.", nil)
    }

    /// `/ui/sign-in?next=…` for a page asked for without a session.
    static func signInPath(next target: RequestTarget) -> String {
        guard target.rawPath != "/ui/states" || !target.query.isEmpty else { return "/ui/sign-in" }
        var next = target.rawPath
        if !target.query.isEmpty {
            next += "?" + target.query.map { urlEncoded($0.name) + "=" + urlEncoded($0.value) }.joined(separator: "&")
        }
        return "/ui/sign-in?next=" + urlEncoded(next)
    }

    /// A 303 to `location`.
    static func redirect(_ location: String) -> Response {
        Response(status: HTTPStatus(code: 303), headers: ["Location": location, "Content-Length": "0"])
    }

    /// Every response of the pages: no framing, no other origin, no sniffing, no referrer to other
    /// sites, never cached unless it is a static file; labelled `ui` in the metrics.
    static func finished(_ response: Response) -> Response {
        var response = response
        response.headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value: "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        if !response.headers.contains("Cache-Control") {
            response.headers.add(name: "Cache-Control", value: "no-store")
        }
        response.route = "ui"
        return response
    }
}

extension UIRoute {
    /// The state the page is about, for the access log.
    var stateName: String? {
        switch self {
        case .state(let name), .diff(let name), .version(let name, _), .rollback(let name), .unlock(let name),
            .delete(let name), .restore(let name):
            name
        case .home, .asset, .signIn, .signOut, .states, .locks, .audit: nil
        }
    }

    /// The heavy work a request is, if it is: a diff, the rollback confirmation (which shows one) and
    /// the rollback.
    func heavyOperation(post: Bool) -> HeavyWork.Operation? {
        switch self {
        case .diff: .diff
        case .rollback: post ? .rollback : .diff
        default: nil
        }
    }
}
