import Application
import CoreMetrics
import Domain
import HTTPServer
import InMemoryStore
import Logging
import PasswordAuth
import Synchronization
import SystemSupport
import WebAPI

@testable import WebUI
@testable import statehouse

/// A clock the test moves by hand.
final class TestClock: WallClock, Sendable {
    private let microseconds = Mutex<Int64>(1_795_000_000_000_000)

    func now() -> Timestamp { Timestamp(microseconds: self.microseconds.withLock { $0 }) }
    func advance(seconds: Int64) { self.microseconds.withLock { $0 += seconds * 1_000_000 } }
}

/// The web UI and the API over one in-memory store, with the users of the API tests: root (admin on
/// *), ci (write on team), viewer (read on *), all with password "pw"; runner signs in by certificate.
struct UIFixture {
    let api: StatehouseAPI
    let ui: WebUI
    let clock = TestClock()
    let store = InMemoryStore()

    /// A signed-in browser: its cookie and the CSRF token its pages carry.
    struct Browser {
        let cookie: String
        let csrf: String
    }

    init(
        secureCookies: Bool = false, sessionLifetime: Duration = .seconds(3600),
        metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        let hash = PasswordHash.make(password: "pw", iterations: 1000)
        let configured: [UserDirectory.User] = [
            .init(name: "root", passwordHash: hash, grants: [Grant(prefix: "*", access: .admin)]),
            .init(name: "ci", passwordHash: hash, grants: [Grant(prefix: "team", access: .write)]),
            .init(name: "viewer", passwordHash: hash, grants: [Grant(prefix: "*", access: .read)]),
            .init(
                name: "spaced", passwordHash: PasswordHash.make(password: " pw ", iterations: 1000),
                grants: [Grant(prefix: "*", access: .read)]),
            .init(
                name: "runner", passwordHash: nil, certificateCommonName: "ci-runner",
                grants: [Grant(prefix: "*", access: .write)]),
        ]
        let users = try! UserDirectory(users: configured)
        let grants = Dictionary(uniqueKeysWithValues: configured.map { ($0.name, $0.grants) })
        let tokens = TokenVerifier(store: self.store, clock: self.clock, ownerGrants: { grants[$0] })
        let authenticator = Authenticator(passwords: users, tokens: tokens)
        let heavyWork = HeavyWork(limit: 4)
        let cache = ContentCache(capacityBytes: 1 << 20)
        self.api = StatehouseAPI(
            useCases: UseCaseWiring.api(
                store: self.store, clock: self.clock, cache: cache, policy: .init(allowLineageChange: false),
                compressionLevel: 1, heavyWork: heavyWork, maxDiffBytes: 8 << 20),
            authenticator: authenticator, clock: self.clock)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        self.ui = try! WebUI(
            useCases: UseCaseWiring.ui(
                store: self.store, clock: self.clock, cache: cache, compressionLevel: 1, heavyWork: heavyWork,
                maxDiffBytes: 8 << 20,
                sessions: UseCaseWiring.sessions(
                    store: self.store, clock: self.clock, authenticator: authenticator,
                    policy: SessionPolicy(lifetime: sessionLifetime, maxPerPrincipal: 20), logger: logger)),
            clock: self.clock, settings: WebUI.Settings(secureCookies: secureCookies), metrics: metrics)
    }

    /// A request as a browser sends it.
    static func request(
        _ method: String, _ target: String, cookie: String? = nil, body: String = "", headers: [(String, String)] = [],
        certificate: String? = nil
    ) -> Request {
        var fields = HTTPHeaders([("Host", "test")] + headers)
        if method == "POST", !fields.contains("Content-Type") {
            fields.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        }
        if let cookie { fields.add(name: "Cookie", value: cookie) }
        let head = RequestHead(
            method: method, rawTarget: target, target: try! RequestTarget(parsing: target), version: .http11,
            headers: fields)
        return Request(
            head: head, body: Array(body.utf8), id: "test-request", remoteAddress: "127.0.0.1:1",
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            clientCertificate: certificate.map { ClientCertificate(commonName: $0) })
    }

    /// A page, as `browser` asks for it.
    func get(_ target: String, as browser: Browser? = nil, headers: [(String, String)] = []) -> Response {
        self.ui.handle(Self.request("GET", target, cookie: browser?.cookie, headers: headers))
    }

    /// A form sent by `browser`, with its CSRF token unless `csrf` says otherwise.
    func post(
        _ target: String, _ fields: [(String, String)], as browser: Browser?, csrf: String? = nil,
        headers: [(String, String)] = []
    ) -> Response {
        var all = fields
        if let token = csrf ?? browser?.csrf { all.append(("csrf", token)) }
        let body = all.map { urlEncoded($0.0) + "=" + urlEncoded($0.1) }.joined(separator: "&")
        return self.ui.handle(Self.request("POST", target, cookie: browser?.cookie, body: body, headers: headers))
    }

    /// Signs `user` in through the form; the browser holds the cookie the server set.
    func signIn(_ user: String, password: String = "pw") -> Browser? {
        let response = self.post("/ui/sign-in", [("username", user), ("password", password)], as: nil, csrf: "")
        guard response.status.code == 303,
            let setCookie = response.headers.values(of: "Set-Cookie").first(where: {
                $0.hasPrefix(SessionCookie.name + "=")
            })
        else { return nil }
        let cookie = String(setCookie.prefix { $0 != ";" })
        let page = self.get("/ui/states", as: Browser(cookie: cookie, csrf: "")).text
        guard let csrf = page.firstValue(after: #"name="csrf" value=""#) else { return nil }
        return Browser(cookie: cookie, csrf: csrf)
    }

    /// Writes a state through the protocol, as Terraform does.
    @discardableResult
    func write(_ name: String, _ body: String, lock: String? = nil) -> Response {
        let target = "/state/\(name)" + (lock.map { "?ID=\($0)" } ?? "")
        return self.api.handle(Self.apiRequest("POST", target, body: body))
    }

    /// Locks a state through the protocol with `info`.
    @discardableResult
    func lock(_ name: String, _ info: String) -> Response {
        self.api.handle(Self.apiRequest("LOCK", "/state/\(name)", body: info))
    }

    /// A protocol or API request as root.
    static func apiRequest(_ method: String, _ target: String, body: String = "", headers: [(String, String)] = [])
        -> Request
    {
        var fields = HTTPHeaders(
            [
                ("Host", "test"), ("Content-Type", "application/json"),
                ("Authorization", "Basic " + Base64.encode(Array("root:pw".utf8))),
            ] + headers)
        fields.remove(name: "Content-Type")
        if !body.isEmpty { fields.add(name: "Content-Type", value: "application/json") }
        let head = RequestHead(
            method: method, rawTarget: target, target: try! RequestTarget(parsing: target), version: .http11,
            headers: fields)
        return Request(
            head: head, body: Array(body.utf8), id: "test-request", remoteAddress: "127.0.0.1:1",
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), clientCertificate: nil)
    }
}

extension Response {
    var text: String { String(decoding: self.body, as: UTF8.self) }
}

extension String {
    /// The text after `marker` up to the next `"`.
    func firstValue(after marker: String) -> String? {
        guard let range = self.firstRange(of: marker) else { return nil }
        return String(self[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// A Terraform v4 state with one terraform_data resource whose input is `input`, and an output.
func terraformState(serial: Int, input: String, output: String = "out", lineage: String = "L") -> String {
    """
    {"version":4,"terraform_version":"1.15.0","serial":\(serial),"lineage":"\(lineage)",
    "outputs":{"\(output)":{"value":"\(input)","type":"string"},"secret":{"value":"hunter2","type":"string","sensitive":true}},
    "resources":[{"mode":"managed","type":"terraform_data","name":"x","provider":"provider[\\"terraform.io/builtin/terraform\\"]",
    "instances":[{"schema_version":0,"attributes":{"id":"abc","input":"\(input)","output":"\(input)","triggers_replace":null},"sensitive_attributes":[]}]}],
    "check_results":null}
    """
}

func lockInfo(id: String, who: String = "me@host", info: String = "") -> String {
    #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"\#(info)","Who":"\#(who)","Version":"1.15.0","Created":"2026-11-22T00:00:00Z","Path":""}"#
}
