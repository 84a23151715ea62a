import Application
import Domain
import HTTPServer
import Testing

@testable import WebUI
@testable import statehouse

/// The pages without a browser: sessions, CSRF, grants, escaping and headers, against the real
/// responder over an in-memory store.
struct PageTests {
    @Test func signInSetsAStrictCookieOnlyThePagesReceive() throws {
        let f = UIFixture()
        let response = f.post("/ui/sign-in", [("username", "root"), ("password", "pw")], as: nil, csrf: "")
        #expect(response.status.code == 303)
        #expect(response.headers["Location"] == "/ui/states")
        let cookie = try #require(
            response.headers.values(of: "Set-Cookie").first { $0.hasPrefix("statehouse_session=") })
        #expect(cookie.contains("; Path=/ui;") && cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict"))
        #expect(!cookie.contains("Secure"))
        let secure = UIFixture(secureCookies: true).post(
            "/ui/sign-in", [("username", "root"), ("password", "pw")], as: nil, csrf: "")
        #expect(
            secure.headers.values(of: "Set-Cookie").contains {
                $0.hasPrefix("statehouse_session=") && $0.hasSuffix("; Secure")
            })
    }

    @Test func aWrongPasswordShowsTheFormAgain() {
        let f = UIFixture()
        let response = f.post("/ui/sign-in", [("username", "root"), ("password", "nope")], as: nil, csrf: "")
        #expect(response.status.code == 401)
        #expect(response.text.contains(#"id="sign-in-form""#) && response.text.contains(#"id="flash" class="error""#))
        #expect(!response.headers.values(of: "Set-Cookie").contains { $0.hasPrefix("statehouse_session=") })
    }

    @Test func signInGoesOnlyToPagesOfThisUI() throws {
        let f = UIFixture()
        for (next, location) in [
            ("/ui/locks", "/ui/locks"), ("https://evil.example/", "/ui/states"), ("//evil.example/ui/", "/ui/states"),
            ("/ui/x\r\nSet-Cookie: a=b", "/ui/states"), ("/api/v1/states", "/ui/states"),
        ] {
            let response = f.post(
                "/ui/sign-in", [("username", "root"), ("password", "pw"), ("next", next)], as: nil, csrf: "")
            #expect(response.headers["Location"] == location, "\(next)")
        }
        let asked = f.get("/ui/audit?state=team%2Fapp")
        #expect(asked.status.code == 303)
        #expect(asked.headers["Location"] == "/ui/sign-in?next=%2Fui%2Faudit%3Fstate%3Dteam%252Fapp")
    }

    @Test func pagesNeedASessionAndSignOutEndsIt() throws {
        let f = UIFixture()
        #expect(f.get("/ui/states").headers["Location"] == "/ui/sign-in")
        let browser = try #require(f.signIn("root"))
        #expect(f.get("/ui/states", as: browser).status.code == 200)
        let out = f.post("/ui/sign-out", [], as: browser)
        #expect(out.status.code == 303 && out.headers["Location"] == "/ui/sign-in")
        #expect(
            out.headers.values(of: "Set-Cookie").contains {
                $0.hasPrefix("statehouse_session=;") && $0.contains("Max-Age=0")
            })
        // The old cookie, replayed, is no session any more.
        let replayed = f.get("/ui/states", as: browser)
        #expect(replayed.status.code == 303)
        #expect(replayed.headers["Location"] == "/ui/sign-in")
    }

    @Test func sessionsExpire() throws {
        let f = UIFixture(sessionLifetime: .seconds(600))
        let browser = try #require(f.signIn("viewer"))
        f.clock.advance(seconds: 599)
        #expect(f.get("/ui/locks", as: browser).status.code == 200)
        f.clock.advance(seconds: 2)
        #expect(f.get("/ui/locks", as: browser).headers["Location"] == "/ui/sign-in?next=%2Fui%2Flocks")
    }

    @Test func aClientCertificateSignsIn() {
        let f = UIFixture()
        let response = f.ui.handle(UIFixture.request("GET", "/ui/states", certificate: "ci-runner"))
        #expect(response.status.code == 200)
        #expect(response.text.contains(#"<span id="whoami" title="signed in as">runner</span>"#))
        #expect(response.headers.values(of: "Set-Cookie").contains { $0.hasPrefix("statehouse_session=") })
        #expect(f.ui.handle(UIFixture.request("GET", "/ui/states", certificate: "stranger")).status.code == 303)
    }

    @Test func theAPINeverAcceptsTheSessionCookie() throws {
        let f = UIFixture()
        let browser = try #require(f.signIn("root"))
        for target in ["/api/v1/states", "/state/team/app"] {
            let request = UIFixture.apiRequest("GET", target, headers: [("Cookie", browser.cookie)])
            var headers = request.head.headers
            headers.remove(name: "Authorization")
            let bare = Request(
                head: RequestHead(
                    method: "GET", rawTarget: target, target: request.head.target, version: .http11, headers: headers),
                body: [], id: "t", remoteAddress: "127.0.0.1:1", logger: request.logger, clientCertificate: nil)
            #expect(f.api.handle(bare).status.code == 401, "\(target)")
        }
    }

    @Test func changesNeedTheSessionsCSRFToken() throws {
        let f = UIFixture()
        f.write("team/app", terraformState(serial: 1, input: "a"))
        f.lock("team/app", lockInfo(id: "L1"))
        let browser = try #require(f.signIn("root"))
        let other = try #require(f.signIn("root"))
        #expect(browser.csrf != other.csrf && browser.csrf.count >= 32)
        for token in ["", "wrong", other.csrf] {
            let response = f.post("/ui/states/team/app/unlock", [("reason", "stuck")], as: browser, csrf: token)
            #expect(response.status.code == 403, "\(token)")
            #expect(response.text.contains("Form expired"))
        }
        #expect(f.get("/ui/states/team/app", as: browser).text.contains(#"data-locked="true""#))
        let done = f.post("/ui/states/team/app/unlock", [("reason", "runner died"), ("id", "L1")], as: browser)
        #expect(done.status.code == 303)
        #expect(done.headers["Location"] == "/ui/states/team/app")
        let page = f.get("/ui/states/team/app", as: Browser(done, browser))
        #expect(page.text.contains(#"data-locked="false""#))
        #expect(page.text.contains("Force-unlocked team/app: the lock L1 of me@host is gone."))
        let audit = f.get("/ui/audit?state=team%2Fapp", as: browser).text
        #expect(audit.contains(#"<tr data-action="force-unlock">"#) && audit.contains("runner died"))
    }

    @Test func formsFromAnotherSiteAreRefused() throws {
        let f = UIFixture()
        let browser = try #require(f.signIn("root"))
        for header in [("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site")] {
            #expect(f.post("/ui/sign-out", [], as: browser, headers: [header]).status.code == 403)
            #expect(
                f.post("/ui/sign-in", [("username", "root"), ("password", "pw")], as: nil, csrf: "", headers: [header])
                    .status.code == 403)
        }
        #expect(
            f.post("/ui/sign-out", [], as: browser, headers: [("Sec-Fetch-Site", "same-origin")]).status.code == 303)
        let json = f.ui.handle(
            UIFixture.request(
                "POST", "/ui/sign-in", body: "{}", headers: [("Content-Type", "application/json")]))
        #expect(json.status.code == 415)
    }

    @Test func aReaderSeesNoControlsAndIsRefusedAnyway() throws {
        let f = UIFixture()
        f.write("team/app", terraformState(serial: 1, input: "a"))
        f.write("team/app", terraformState(serial: 2, input: "b"))
        f.lock("team/app", lockInfo(id: "L1"))
        let viewer = try #require(f.signIn("viewer"))
        let page = f.get("/ui/states/team/app", as: viewer).text
        #expect(page.contains(#"id="versions""#) && page.contains(#"id="diff-form""#))
        for control in ["force-unlock-form", #"class="rollback""#, "delete-form"] {
            #expect(!page.contains(control), "\(control)")
        }
        #expect(f.post("/ui/states/team/app/unlock", [("reason", "x")], as: viewer).status.code == 403)
        #expect(
            f.post("/ui/states/team/app/rollback", [("version", "1"), ("reason", "x")], as: viewer).status.code == 403)
        #expect(f.get("/ui/states/team/app/rollback?version=1", as: viewer).status.code == 403)
        #expect(f.post("/ui/states/team/app/delete", [("confirm", "team/app")], as: viewer).status.code == 403)
        #expect(f.get("/ui/states/team/app", as: viewer).text.contains(#"data-locked="true""#))

        let root = try #require(f.signIn("root"))
        let admin = f.get("/ui/states/team/app", as: root).text
        for control in ["force-unlock-form", #"class="rollback""#, "delete-form"] {
            #expect(admin.contains(control), "\(control)")
        }
    }

    @Test func whatStatesAndLocksBringIsShownAsText() throws {
        let f = UIFixture()
        let evil = "<script>alert(1)</script>"
        let escapedEvil = "&lt;script&gt;alert(1)&lt;/script&gt;"
        f.write("team/app", terraformState(serial: 1, input: "a", output: "o"))
        f.write(
            "team/app",
            terraformState(serial: 2, input: "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e", output: evil))
        f.lock("team/app", lockInfo(id: "L\(evil)", who: evil, info: evil))
        let browser = try #require(f.signIn("root"))
        let pages = [
            f.get("/ui/states/team/app", as: browser).text, f.get("/ui/locks", as: browser).text,
            f.get("/ui/states/team/app/diff?from=1&to=2", as: browser).text,
            f.get("/ui/states", as: browser).text,
        ]
        for page in pages {
            #expect(!page.contains("<script>"))
        }
        #expect(pages[0].contains(#"<dd id="lock-who">\#(escapedEvil)</dd>"#))
        #expect(pages[2].contains(escapedEvil))
        #expect(pages[2].contains(#"data-output="\#(escapedEvil)""#))
    }

    @Test func rollbackAsksThenWritesANewVersion() throws {
        let f = UIFixture()
        f.write("team/app", terraformState(serial: 1, input: "a"))
        f.write("team/app", terraformState(serial: 2, input: "b"))
        let ci = try #require(f.signIn("ci"))
        let confirm = f.get("/ui/states/team/app/rollback?version=1", as: ci).text
        #expect(confirm.contains(#"id="rollback-form""#))
        #expect(confirm.contains("resources: 0 added, 0 removed, 1 changed"))
        #expect(f.post("/ui/states/team/app/rollback", [("version", "1")], as: ci).status.code == 400)
        let done = f.post("/ui/states/team/app/rollback", [("version", "1"), ("reason", "bad apply")], as: ci)
        #expect(done.status.code == 303)
        let page = f.get("/ui/states/team/app", as: Browser(done, ci)).text
        #expect(page.contains("Rolled back to version 1: version 3 (serial 3) is now current."))
        #expect(page.contains(#"<tr data-version="3">"#) && page.contains("rollback to 1"))
    }

    @Test func theDiffShowsResourcesAndRedactsSensitiveValues() throws {
        let f = UIFixture()
        f.write("team/app", terraformState(serial: 1, input: "before-value"))
        f.write("team/app", terraformState(serial: 2, input: "after-value"))
        let browser = try #require(f.signIn("viewer"))
        let page = f.get("/ui/states/team/app/diff?from=1&to=2", as: browser).text
        #expect(page.contains(#"<section class="resource" data-address="terraform_data.x" data-change="changed">"#))
        #expect(page.contains("before-value") && page.contains("after-value"))
        #expect(!page.contains("hunter2"))
    }

    @Test func deleteNeedsTheNameTypedAndRestoreBringsItBack() throws {
        let f = UIFixture()
        f.write("team/app", terraformState(serial: 1, input: "a"))
        let root = try #require(f.signIn("root"))
        #expect(f.post("/ui/states/team/app/delete", [("confirm", "team")], as: root).status.code == 400)
        #expect(f.get("/ui/states/team/app", as: root).status.code == 200)
        #expect(f.post("/ui/states/team/app/delete", [("confirm", "team/app")], as: root).status.code == 303)
        #expect(f.get("/ui/states/team/app", as: root).status.code == 404)
        let deleted = f.get("/ui/states?deleted=1", as: root).text
        let id = try #require(deleted.firstValue(after: #"name="id" value=""#))
        #expect(f.post("/ui/states/team/app/restore", [("id", id)], as: root).status.code == 303)
        #expect(f.get("/ui/states/team/app", as: root).status.code == 200)
    }

    @Test func theStatesPageGoesPageByPage() throws {
        let f = UIFixture()
        for index in 0..<(WebUI.statesPerPage + 5) {
            f.write("s/\(String(1000 + index))", terraformState(serial: 1, input: "a"))
        }
        let browser = try #require(f.signIn("viewer"))
        let first = f.get("/ui/states", as: browser).text
        #expect(first.components(separatedBy: "<tr data-state=").count - 1 == WebUI.statesPerPage)
        let next = try #require(first.link(rel: "next"))
        let second = f.get(next, as: browser).text
        #expect(second.components(separatedBy: "<tr data-state=").count - 1 == 5)
        #expect(
            f.get("/ui/states?prefix=s%2F1000", as: browser).text.components(separatedBy: "<tr data-state=").count - 1
                == 1)
        let found = f.get("/ui/states?q=%2F110", as: browser).text
        #expect(found.components(separatedBy: "<tr data-state=").count - 1 == 5)
        #expect(found.contains(#"<tr data-state="s/1100">"#) && found.contains(#"name="q" value="/110""#))
    }

    @Test func everyResponseCarriesTheSecurityHeaders() throws {
        let f = UIFixture()
        f.write("team/app", terraformState(serial: 1, input: "a"))
        f.write("team/app", terraformState(serial: 2, input: "b"))
        let browser = try #require(f.signIn("root"))
        let css = try WebTemplates().css.path
        let responses = [
            f.get("/ui/sign-in"), f.get("/ui/"), f.get("/ui/states"), f.get("/ui/states", as: browser),
            f.get("/ui/states/team/app", as: browser), f.get("/ui/states/team/app/diff", as: browser),
            f.get("/ui/states/team/app/versions/1", as: browser), f.get("/ui/locks", as: browser),
            f.get("/ui/audit", as: browser), f.get("/ui/nowhere", as: browser), f.get("/ui/states/none", as: browser),
            f.get(css), f.post("/ui/sign-out", [], as: browser, csrf: "x"),
            f.ui.handle(UIFixture.request("DELETE", "/ui/states")),
        ]
        for response in responses {
            #expect(
                response.headers["Content-Security-Policy"]
                    == "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
            )
            #expect(response.headers["X-Frame-Options"] == "DENY")
            #expect(response.headers["Referrer-Policy"] == "same-origin")
            #expect(response.headers["X-Content-Type-Options"] == "nosniff")
            #expect(response.route == "ui")
        }
        #expect(responses[11].headers["Cache-Control"] == "public, max-age=31536000, immutable")
        #expect(responses[4].headers["Cache-Control"] == "no-store")
        #expect(responses[9].status.code == 404 && responses[10].status.code == 404)
        #expect(responses[13].status.code == 405)
        // No page has inline script or style: the policy would block them.
        for response in responses where response.headers["Content-Type"]?.hasPrefix("text/html") == true {
            #expect(!response.text.contains("<script>") && !response.text.contains("style="))
            #expect(response.text.firstMatch(of: #/ on[a-z]+=/#) == nil)
        }
    }
}

extension Browser {
    /// The browser after `response`: it keeps the flash cookie the response set.
    init(_ response: Response, _ browser: Browser) {
        let flash = response.headers.values(of: "Set-Cookie").first { $0.hasPrefix(Flash.cookie + "=") }
        self.init(cookie: browser.cookie + (flash.map { "; " + $0.prefix { $0 != ";" } } ?? ""), csrf: browser.csrf)
    }
}

typealias Browser = UIFixture.Browser

extension String {
    /// The `href` of the link with `rel`, its `&amp;` read back as `&`.
    func link(rel: String) -> String? {
        guard let end = self.firstRange(of: "\" rel=\"\(rel)\"") else { return nil }
        guard let start = self[..<end.lowerBound].ranges(of: "href=\"").last else { return nil }
        return String(self[start.upperBound..<end.lowerBound]).replacingAmpersands
    }

    var replacingAmpersands: String {
        self.split(separator: "&amp;", omittingEmptySubsequences: false).joined(separator: "&")
    }
}

struct AuditPageTests {
    @Test func newestFirstFilteredByStateUserActionAndTime() throws {
        let f = UIFixture()
        f.write("team/app", terraformState(serial: 1, input: "a"))
        f.write("team/other", terraformState(serial: 1, input: "a"))
        f.lock("team/app", lockInfo(id: "L1"))
        let root = try #require(f.signIn("root"))
        _ = f.post("/ui/states/team/app/unlock", [("reason", "gone")], as: root)
        func actions(_ target: String) -> [String] {
            f.get(target, as: root).text.split(separator: "<tr data-action=\"").dropFirst().map {
                String($0.prefix { $0 != "\"" })
            }
        }
        #expect(actions("/ui/audit") == ["force-unlock", "lock", "write", "write"])
        #expect(actions("/ui/audit?action=write") == ["write", "write"])
        #expect(actions("/ui/audit?state=team%2Fother") == ["write"])
        #expect(actions("/ui/audit?user=root&action=force-unlock") == ["force-unlock"])
        #expect(actions("/ui/audit?user=nobody").isEmpty)
        #expect(actions("/ui/audit?since=2099-01-01T00:00:00Z").isEmpty)
        #expect(f.get("/ui/audit?action=format-disk", as: root).status.code == 400)
        #expect(f.get("/ui/audit?since=yesterday", as: root).status.code == 400)
        #expect(f.get("/ui/audit?action=write", as: root).text.contains("<option selected>write</option>"))
    }
}

struct StatePageTests {
    @Test func outputsShowTypesAndValuesButNeverSensitiveOnes() throws {
        let f = UIFixture()
        let browser = try #require(f.signIn("viewer"))
        #expect(f.write("team/empty", #"{"version":4,"serial":1,"lineage":"L","outputs":{}}"#).status.code == 200)
        #expect(f.get("/ui/states/team/empty", as: browser).text.contains("No outputs."))
        f.write("team/app", terraformState(serial: 1, input: "a", output: "<script>x</script>"))
        let page = f.get("/ui/states/team/app", as: browser).text
        #expect(page.contains(#"<td class="mono">&lt;script&gt;x&lt;/script&gt;</td><td class="mono">string</td>"#))
        #expect(page.contains("<code>&quot;a&quot;</code>"))
        #expect(
            page.contains(
                #"<td class="mono">secret</td><td class="mono">string</td><td><span class="badge">sensitive</span>"#))
        #expect(!page.contains("hunter2") && !page.contains("<script>"))
    }

    @Test func theBackendBlockNamesThisServerAndTheState() throws {
        let f = UIFixture()
        f.write("team/app", terraformState(serial: 1, input: "a"))
        let browser = try #require(f.signIn("viewer"))
        let page = f.get("/ui/states/team/app", as: browser).text
        #expect(page.contains(#"address        = &quot;http://test/state/team/app&quot;"#))
        #expect(page.contains(#"unlock_address = &quot;http://test/state/team/app&quot;"#))
    }
}

/// What the review of the pages found, kept fixed.
struct ReviewedPageTests {
    @Test func versionNumbersAndSerialsAtTheirLimitsAreAnswersNotCrashes() throws {
        let f = UIFixture()
        f.write("team/app", terraformState(serial: 1, input: "a"))
        f.write("team/max", #"{"version":4,"serial":9223372036854775806,"lineage":"L","outputs":{}}"#)
        f.write("team/max", #"{"version":4,"serial":9223372036854775807,"lineage":"L","outputs":{}}"#)
        let root = try #require(f.signIn("root"))
        for version in ["9223372036854775807", "0", "-1", "2"] {
            #expect(f.get("/ui/states/team/app/rollback?version=\(version)", as: root).status.code == 404, "\(version)")
        }
        let page = f.get("/ui/states/team/max/rollback?version=1", as: root)
        #expect(page.status.code == 200)
        #expect(page.text.contains("none: the serial is at its maximum"))
    }

    @Test func aPasswordKeepsItsSpaces() throws {
        let f = UIFixture()
        #expect(f.signIn("spaced", password: " pw ") != nil)
        #expect(f.signIn("spaced", password: "pw") == nil)
    }

    @Test func signingInAgainEndsTheSessionTheBrowserHeld() throws {
        let f = UIFixture()
        let first = try #require(f.signIn("root"))
        let again = f.post(
            "/ui/sign-in", [("username", "root"), ("password", "pw")], as: Browser(cookie: first.cookie, csrf: ""),
            csrf: "")
        #expect(again.status.code == 303)
        #expect(f.get("/ui/states", as: first).headers["Location"] == "/ui/sign-in")
    }

    @Test func aLinkFromAnotherSiteIsOneClickAwayAndStartsNoSession() {
        let f = UIFixture()
        let crossSite = [("Sec-Fetch-Site", "cross-site")]
        let response = f.ui.handle(
            UIFixture.request("GET", "/ui/states/team/app?x=1", headers: crossSite, certificate: "ci-runner"))
        #expect(response.status.code == 200)
        #expect(response.text.contains(#"<a id="continue" href="/ui/states/team/app?x=1">"#))
        #expect(!response.headers.values(of: "Set-Cookie").contains { $0.hasPrefix("statehouse_session=") })
        let sameSite = f.ui.handle(UIFixture.request("GET", "/ui/states", certificate: "ci-runner"))
        #expect(sameSite.headers.values(of: "Set-Cookie").contains { $0.hasPrefix("statehouse_session=") })
    }

    @Test func aForceUnlockOfAHugeLockKeepsItsFlashSmall() throws {
        let f = UIFixture()
        f.write("team/app", terraformState(serial: 1, input: "a"))
        // The longest Who and ID a LockInfo may have: 512 and 256 bytes.
        let who = String(repeating: "ü", count: 256)
        #expect(f.lock("team/app", lockInfo(id: String(repeating: "i", count: 256), who: who)).status.code == 200)
        let root = try #require(f.signIn("root"))
        let done = f.post("/ui/states/team/app/unlock", [("reason", "gone")], as: root)
        #expect(done.status.code == 303)
        let flash = try #require(done.headers.values(of: "Set-Cookie").first { $0.hasPrefix(Flash.cookie + "=") })
        #expect(flash.utf8.count < 1024)
        #expect(f.get("/ui/states/team/app", as: Browser(done, root)).text.contains("Force-unlocked team/app"))
    }
}

struct PageMetricsTests {
    @Test func forceUnlocksAreCountedAsTheAPICountsThem() throws {
        let prometheus = PrometheusMetrics()
        let f = UIFixture(metrics: prometheus.factory)
        f.write("team/app", terraformState(serial: 1, input: "a"))
        f.lock("team/app", lockInfo(id: "L1"))
        let root = try #require(f.signIn("root"))
        #expect(f.post("/ui/states/team/app/unlock", [("reason", "gone")], as: root).status.code == 303)
        // Not locked any more: nothing is counted for a second try.
        #expect(f.post("/ui/states/team/app/unlock", [("reason", "again")], as: root).status.code == 303)
        let text = String(decoding: prometheus.exposition(), as: UTF8.self)
        #expect(text.contains("statehouse_lock_force_unlocks_total 1\n"))
    }
}
