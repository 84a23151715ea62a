import Application
import CoreMetrics
import Domain
import HTTPServer
import InMemoryStore
import Logging
import PasswordAuth
import SystemSupport

@testable import WebAPI
@testable import statehouse

struct StaticClock: WallClock {
    func now() -> Timestamp { Timestamp(microseconds: 1_795_000_000_000_000) }
}

/// The API over an in-memory store, with three users:
/// root (admin on *), ci (write on team), viewer (read on *), all with password "pw"; API tokens of
/// theirs are accepted too.
struct APIFixture {
    let api: StatehouseAPI
    let useCases: StatehouseAPI.UseCases
    /// The permits for heavy requests (diffs, rollbacks, large uncompressed reads) the API shares.
    let heavyWork: HeavyWork

    /// Another API over a fresh store's use cases (for a different verifier).
    init(verifier: any CredentialVerifier) {
        let fixture = APIFixture()
        self.useCases = fixture.useCases
        self.heavyWork = fixture.heavyWork
        self.api = StatehouseAPI(
            useCases: self.useCases, authenticator: Authenticator(passwords: verifier), clock: StaticClock())
    }

    init(
        store: any UnitOfWork = InMemoryStore(), metrics: MetricsEndpoint? = nil, clock: any WallClock = StaticClock(),
        heavyRequests: Int = 4, maxDiffBytes: Int64 = 8 << 20, protections: [ProtectedPrefix] = []
    ) {
        let hash = PasswordHash.make(password: "pw", iterations: 1000)
        let configured: [UserDirectory.User] = [
            .init(name: "root", passwordHash: hash, grants: [Grant(prefix: "*", access: .admin)]),
            .init(name: "ci", passwordHash: hash, grants: [Grant(prefix: "team", access: .write)]),
            .init(name: "viewer", passwordHash: hash, grants: [Grant(prefix: "*", access: .read)]),
            .init(
                name: "runner", passwordHash: nil, certificateCommonName: "ci-runner",
                grants: [Grant(prefix: "*", access: .write)]),
        ]
        let users = try! UserDirectory(users: configured)
        let grants = Dictionary(uniqueKeysWithValues: configured.map { ($0.name, $0.grants) })
        let tokens = TokenVerifier(store: store, clock: clock, ownerGrants: { grants[$0] })
        self.heavyWork = HeavyWork(limit: heavyRequests, factory: metrics?.factory ?? NOOPMetricsHandler.instance)
        self.useCases = UseCaseWiring.api(
            store: store, clock: clock, cache: ContentCache(capacityBytes: 1 << 20),
            policy: .init(allowLineageChange: false), compressionLevel: 1, heavyWork: self.heavyWork,
            maxDiffBytes: maxDiffBytes)
        self.api = StatehouseAPI(
            useCases: self.useCases,
            authenticator: Authenticator(passwords: users, secrets: [tokens], protections: protections), clock: clock,
            metrics: metrics)
    }

    /// A request as a client would send it, logged in as `user` with Basic.
    static func request(
        _ method: String, _ target: String, user: String? = "root", password: String = "pw", body: String = "",
        headers: [(String, String)] = [], certificate: String? = nil
    ) -> Request {
        var fields = HTTPHeaders([("Host", "test")] + headers)
        // What every JSON client sends on a POST (HeadDecisionTests checks what happens without).
        if method == "POST", !fields.contains("Content-Type") {
            fields.add(name: "Content-Type", value: "application/json")
        }
        if let user {
            fields.add(name: "Authorization", value: "Basic " + Base64.encode(Array("\(user):\(password)".utf8)))
        }
        let head = RequestHead(
            method: method, rawTarget: target, target: try! RequestTarget(parsing: target), version: .http11,
            headers: fields)
        return Request(
            head: head, body: Array(body.utf8), id: "test-request", remoteAddress: "127.0.0.1:1",
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            clientCertificate: certificate.map { ClientCertificate(commonName: $0) })
    }

    /// Sends a request through the API in memory, head decision included.
    @discardableResult
    func send(
        _ method: String, _ target: String, user: String? = "root", password: String = "pw", body: String = "",
        headers: [(String, String)] = [], certificate: String? = nil
    ) -> Response {
        self.api.handle(
            Self.request(
                method, target, user: user, password: password, body: body, headers: headers, certificate: certificate))
    }
}

extension Response {
    var text: String { String(decoding: self.body, as: UTF8.self) }
}

func lockJSON(_ id: String) -> String {
    #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"me@host","Version":"1.15.5","Created":"2026-11-22T00:00:00Z","Path":""}"#
}

func stateJSON(_ serial: Int, lineage: String = "L") -> String {
    "{\n  \"version\": 4,\n  \"serial\": \(serial),\n  \"lineage\": \"\(lineage)\",\n  \"outputs\": {}\n}\n"
}
