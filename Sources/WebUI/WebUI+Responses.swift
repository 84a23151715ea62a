import Application
import Domain
import Gzip
import HTTPServer
import Logging

/// A message for the next page, carried by a short-lived cookie across the redirect after a change.
struct Flash {
    static let cookie = "statehouse_flash"

    let ok: Bool
    let message: String

    /// The longest message a flash carries: a cookie stays far under the 4 KiB browsers keep.
    static let maxCharacters = 300

    init(ok: Bool, message: String) {
        self.ok = ok
        self.message = message.count > Self.maxCharacters ? message.prefix(Self.maxCharacters - 1) + "…" : message
    }

    /// The flash the request brings, if any.
    static func read(_ headers: HTTPHeaders) -> Flash? {
        guard let value = cookieValue(Self.cookie, in: headers),
            let text = try? RequestTarget.percentDecode(value, plusAsSpace: false), text.count > 2
        else { return nil }
        return Flash(ok: text.hasPrefix("o:"), message: String(text.dropFirst(2)))
    }

    /// The `Set-Cookie` value that carries the flash to the next page (a minute at most).
    func setting(secure: Bool) -> String {
        "\(Self.cookie)=\(urlEncoded((self.ok ? "o:" : "e:") + self.message)); Path=/ui; Max-Age=60; HttpOnly; "
            + "SameSite=Strict\(secure ? "; Secure" : "")"
    }

    /// The `Set-Cookie` value that clears it once shown.
    static func clearing(secure: Bool) -> String {
        "\(Self.cookie)=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }
}

extension WebUI {
    /// What every page's `top` shows: its title, the static files, the user, the CSRF token for the
    /// sign-out form, the current section and the flash.
    func base(_ title: String, _ page: PageContext?, nav: String? = nil) -> [String: View] {
        var view: [String: View] = [
            "title": .text(title),
            "assets": [
                "css": .text(self.templates.css.path), "js": .text(self.templates.script.path),
                "icon": .text(self.templates.icon.path),
            ],
        ]
        if let page {
            view["user"] = ["name": .text(page.caller.principal.name)]
            view["csrf"] = .text(page.session.csrfToken)
            if let flash = page.flash {
                view["flash"] = ["kind": .text(flash.ok ? "ok" : "error"), "message": .text(flash.message)]
            }
        }
        if let nav { view["nav"] = [nav: true] }
        return view
    }

    /// Page `template` rendered with `view`, as HTML; a flash it showed is cleared.
    func html(_ status: HTTPStatus, _ template: String, _ view: [String: View], _ page: PageContext?) -> Response {
        var response = Response(
            status: status, headers: ["Content-Type": "text/html; charset=utf-8"],
            body: Array(self.templates.render(template, .object(view)).utf8))
        if page?.flash != nil {
            response.headers.add(name: "Set-Cookie", value: Flash.clearing(secure: self.settings.secureCookies))
        }
        return response
    }

    /// A 303 to `location` that shows `flash` there.
    func redirect(_ location: String, flash: Flash) -> Response {
        var response = Self.redirect(location)
        response.headers.add(name: "Set-Cookie", value: flash.setting(secure: self.settings.secureCookies))
        return response
    }

    /// An error page that says what happened, never how the server is built.
    func errorPage(
        _ status: HTTPStatus, _ heading: String, _ message: String, _ page: PageContext?, requestID: String? = nil
    )
        -> Response
    {
        var view = self.base(heading, page)
        view["heading"] = .text(heading)
        view["message"] = .text(message)
        if let requestID { view["requestID"] = .text(requestID) }
        return self.html(status, "error", view, page)
    }

    /// The page for a failed use case, with the status the API would give, counted and logged as the
    /// API counts and logs it; the log gets what the page may not show.
    func failurePage(_ error: ApplicationError, _ page: PageContext?, _ logger: Logger, _ requestID: String)
        -> Response
    {
        self.outcomes.record(error)
        var response: Response
        switch error.kind {
        case .invalidInput: response = self.errorPage(.badRequest, "That cannot be done", error.message, page)
        case .forbidden: response = self.errorPage(.forbidden, "Not allowed", error.message, page)
        case .notFound: response = self.errorPage(.notFound, "Not found", error.message, page)
        case .locked(let holder):
            response = self.errorPage(
                .conflict, "Locked",
                "\(error.message) The lock is held by \(holder.info.who) (ID \(holder.info.id)).", page)
        case .conflict: response = self.errorPage(.conflict, "Conflict", error.message, page)
        case .preconditionFailed:
            response = self.errorPage(HTTPStatus(code: 412), "Changed meanwhile", error.message, page)
        case .gone: response = self.errorPage(HTTPStatus(code: 410), "Gone", error.message, page)
        case .unprocessable:
            response = self.errorPage(HTTPStatus(code: 422), "That cannot be shown", error.message, page)
        case .busy:
            response = self.errorPage(.serviceUnavailable, "Busy", error.message, page)
            response.headers.add(name: "Retry-After", value: "2")
        case .unavailable, .diskFull:
            if case .diskFull = error.kind {
                logger.error("disk full", metadata: ["error": .string(error.logDescription)])
            } else {
                logger.warning("store unavailable", metadata: ["error": .string(error.logDescription)])
            }
            response = self.errorPage(
                .serviceUnavailable, "Try again", "\(error.message) Try again in a moment.", page,
                requestID: requestID)
            response.headers.add(name: "Retry-After", value: "2")
        case .fault:
            logger.error("request failed", metadata: ["error": .string(error.logDescription)])
            response = self.errorPage(
                .internalServerError, "Something went wrong",
                "The server could not do this. Its log has the details under the request id below.", page,
                requestID: requestID)
        }
        response.logMetadata["reason"] = .string(error.message)
        return response
    }

    /// A page opened from another site's link: one same-site click away.
    func continuePage(_ target: RequestTarget) -> Response {
        var view = self.base("Open Statehouse", nil)
        view["href"] = .text(link(target.rawPath, target.query.map { ($0.name, $0.value) }))
        return self.html(.ok, "continue", view, nil)
    }

    /// `/ui/assets/{file}`: the style sheet, the script and the icon, under URLs that change with their content.
    func asset(_ file: String, _ request: IncomingRequest) -> Response {
        let candidates = [self.templates.css, self.templates.script, self.templates.icon]
        guard let found = candidates.first(where: { $0.path == "/ui/assets/" + file }) else {
            return self.errorPage(.notFound, "Page not found", "There is no file at this address.", nil)
        }
        let gzip = request.headers.acceptsGzip
        var response = Response(
            status: .ok,
            headers: [
                "Content-Type": found.contentType, "Cache-Control": "public, max-age=31536000, immutable",
                "Vary": "Accept-Encoding",
            ], body: gzip ? found.gzip : found.body)
        if gzip { response.headers.add(name: "Content-Encoding", value: "gzip") }
        return response
    }
}

extension Response {
    /// An HTML body compressed when the client takes gzip and it is worth it.
    func compressed(for headers: HTTPHeaders) -> Response {
        guard self.body.count >= 1024, !self.headers.contains("Content-Encoding"),
            self.headers["Content-Type"]?.hasPrefix("text/html") == true, headers.acceptsGzip,
            let gzip = try? Gzip.compress(self.body, level: 6)
        else { return self }
        var response = self
        response.body = gzip
        response.headers.add(name: "Content-Encoding", value: "gzip")
        response.headers.add(name: "Vary", value: "Accept-Encoding")
        return response
    }
}
