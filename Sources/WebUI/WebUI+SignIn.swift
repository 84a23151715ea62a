import Application
import HTTPServer

extension WebUI {
    /// `GET /ui/sign-in`: the form, or on to the page asked for when the session is still good.
    func signInPage(_ request: IncomingRequest) -> Response {
        let next = Self.safeNext(request.queryValue("next"))
        if let secret = SessionCookie.secret(in: request.headers),
            (try? self.useCases.sessions.resume.execute(secret: secret)) != nil
        {
            return Self.redirect(next)
        }
        return self.signInForm(.ok, next: next, username: "", flash: Flash.read(request.headers))
    }

    /// `POST /ui/sign-in`: a session for the user name and password (or API token), then on to the
    /// page asked for.
    func signIn(_ request: Request) -> Response {
        guard let form = Form(request.body) else {
            return self.errorPage(.badRequest, "Bad form", "The form's data could not be read.", nil)
        }
        let next = Self.safeNext(form["next"])
        let username = form["username"] ?? ""
        guard let password = form.raw("password") else {
            return self.signInForm(
                .badRequest, next: next, username: username, flash: Flash(ok: false, message: "Enter a password."))
        }
        let credentials = PresentedCredentials.basic(username: username, password: password)
        switch self.useCases.sessions.start.execute(
            credentials, from: request.remoteHost, requestID: request.id)
        {
        case .started(let secret, let session):
            // Signing in again ends the session the browser held, if any: it would only wait to expire.
            if let old = SessionCookie.secret(in: request.headers) {
                try? self.useCases.sessions.end.execute(secret: old)
            }
            var response = Self.redirect(next)
            response.headers.add(name: "Set-Cookie", value: self.cookie(secret, session))
            response.logMetadata["user"] = .string(session.principal.name)
            return response
        case .rejected:
            return self.signInForm(
                .unauthorized, next: next, username: username,
                flash: Flash(ok: false, message: "Wrong user name or password, or the token is not valid."))
        case .throttled(let seconds):
            var response = self.signInForm(
                HTTPStatus(code: 429), next: next, username: username,
                flash: Flash(ok: false, message: "Too many failed sign-ins; try again in \(seconds) s."))
            response.headers.add(name: "Retry-After", value: String(seconds))
            return response
        case .busy, .unavailable:
            var response = self.signInForm(
                .serviceUnavailable, next: next, username: username,
                flash: Flash(ok: false, message: "Sign-ins cannot be checked just now; try again in a moment."))
            response.headers.add(name: "Retry-After", value: "2")
            return response
        }
    }

    /// `POST /ui/sign-out`: ends the session, then the sign-in form.
    func signOut(_ request: Request, _ page: PageContext) -> Response {
        if let secret = SessionCookie.secret(in: request.headers) {
            do {
                try self.useCases.sessions.end.execute(secret: secret)
            } catch {
                return self.failurePage(error, page, request.logger, request.id)
            }
        }
        var response = self.redirect("/ui/sign-in", flash: Flash(ok: true, message: "Signed out."))
        response.headers.add(name: "Set-Cookie", value: self.clearingCookie)
        return response
    }

    private func signInForm(_ status: HTTPStatus, next: String, username: String, flash: Flash?) -> Response {
        var view = self.base("Sign in", nil)
        view["next"] = .text(next)
        view["username"] = .text(username)
        if let flash { view["flash"] = ["kind": .text(flash.ok ? "ok" : "error"), "message": .text(flash.message)] }
        var response = self.html(status, "sign-in", view, nil)
        if flash != nil {
            response.headers.add(name: "Set-Cookie", value: Flash.clearing(secure: self.settings.secureCookies))
        }
        return response
    }

    /// Where to go after signing in: a page of this UI only (never another site), else the states.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/ui/"), next.utf8.count <= 2048,
            next.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") })
        else { return "/ui/states" }
        return next
    }
}
