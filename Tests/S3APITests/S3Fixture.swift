import Application
import Domain
import HTTPServer
import InMemoryStore
import Logging
import PasswordAuth
import Synchronization
import SystemSupport
import WebAPI

@testable import S3API
@testable import statehouse

/// A clock the test moves by hand.
final class MovableClock: WallClock, Sendable {
    private let microseconds = Mutex<Int64>(1_795_000_000_000_000)

    func now() -> Timestamp { Timestamp(microseconds: self.microseconds.withLock { $0 }) }
    func advance(seconds: Int64) { self.microseconds.withLock { $0 += seconds * 1_000_000 } }
    var seconds: Int64 { self.now().microseconds / 1_000_000 }
}

/// The S3 endpoint and the http API over one in-memory store, with the users root (admin on *),
/// ci (write on infra/), viewer (read on *) and other (write on other/), password "pw", and an S3
/// key for each.
struct S3Fixture {
    let store = InMemoryStore()
    let clock = MovableClock()
    let api: StatehouseAPI
    let s3: S3API
    let keys: [String: TestSigner]

    init() {
        let hash = PasswordHash.make(password: "pw", iterations: 1000)
        let configured: [UserDirectory.User] = [
            .init(name: "root", passwordHash: hash, grants: [Grant(prefix: "*", access: .admin)]),
            .init(name: "ci", passwordHash: hash, grants: [Grant(prefix: "infra/", access: .write)]),
            .init(name: "viewer", passwordHash: hash, grants: [Grant(prefix: "*", access: .read)]),
            .init(name: "other", passwordHash: hash, grants: [Grant(prefix: "other/", access: .write)]),
            .init(
                name: "partial", passwordHash: hash,
                grants: [Grant(prefix: "infra/a", access: .read), Grant(prefix: "infra/c", access: .read)]),
        ]
        let users = try! UserDirectory(users: configured)
        let grants = Dictionary(uniqueKeysWithValues: configured.map { ($0.name, $0.grants) })
        let tokens = TokenVerifier(store: self.store, clock: self.clock, ownerGrants: { grants[$0] })
        let authenticator = Authenticator(passwords: users, tokens: tokens)
        let cache = ContentCache(capacityBytes: 1 << 20)
        let heavyWork = HeavyWork(limit: 4)
        self.api = StatehouseAPI(
            useCases: UseCaseWiring.api(
                store: self.store, clock: self.clock, cache: cache, policy: .init(allowLineageChange: false),
                compressionLevel: 1, heavyWork: heavyWork, maxDiffBytes: 8 << 20),
            authenticator: authenticator, clock: self.clock)
        self.s3 = S3API(
            useCases: UseCaseWiring.s3(
                store: self.store, clock: self.clock, cache: cache, policy: .init(allowLineageChange: false),
                compressionLevel: 1, heavyWork: heavyWork, maxStateBytes: 64 << 20),
            keys: S3KeyVerifier(store: self.store, clock: self.clock, ownerGrants: { grants[$0] }),
            authenticator: authenticator, clock: self.clock, settings: S3API.Settings())
        let create = CreateToken(store: self.store, clock: self.clock, policy: .standard)
        var keys: [String: TestSigner] = [:]
        for user in configured {
            let principal = Principal(name: user.name, grants: user.grants)
            let created = try! create.execute(
                name: "s3", grants: user.grants, expiresIn: nil, s3: true, as: Caller(principal))
            keys[user.name] = TestSigner(accessKeyID: created.accessKeyID!, secret: created.secretAccessKey!)
        }
        self.keys = keys
    }

    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A request `as` the user's key signs it now (or `secondsAgo` before now).
    func s3(
        _ method: String, _ target: String, as user: String = "root", headers: [(String, String)] = [],
        body: [UInt8] = [], secondsAgo: Int64 = 0, payloadHash: String? = nil
    ) -> Response {
        let signed = self.keys[user]!.sign(
            method, "/s3" + target, headers: headers, body: body, time: amzDate(self.clock.seconds - secondsAgo),
            payloadHash: payloadHash)
        return self.send(method, "/s3" + target, headers: signed, body: body)
    }

    /// A request with exactly these headers.
    func send(_ method: String, _ target: String, headers: HTTPHeaders, body: [UInt8] = []) -> Response {
        let head = RequestHead(
            method: method, rawTarget: target, target: try! RequestTarget(parsing: target), version: .http11,
            headers: headers)
        return self.s3.handle(
            Request(head: head, body: body, id: "req-1", remoteAddress: "127.0.0.1:1", logger: Self.logger))
    }

    /// An http-backend or management API request as `user` (password "pw").
    func http(_ method: String, _ target: String, as user: String = "root", body: String = "") -> Response {
        var headers = HTTPHeaders([("Host", "test"), ("Content-Type", "application/json")])
        headers.add(name: "Authorization", value: "Basic " + Base64.encode(Array("\(user):pw".utf8)))
        let head = RequestHead(
            method: method, rawTarget: target, target: try! RequestTarget(parsing: target), version: .http11,
            headers: headers)
        return self.api.handle(
            Request(head: head, body: Array(body.utf8), id: "req-2", remoteAddress: "127.0.0.1:1", logger: Self.logger))
    }

    /// A Terraform state with `serial`.
    static func state(serial: Int, lineage: String = "4c7e-lineage", output: String = "one") -> [UInt8] {
        Array(
            """
            {"version":4,"terraform_version":"1.15.0","serial":\(serial),"lineage":"\(lineage)",\
            "outputs":{"message":{"value":"\(output)","type":"string"}},"resources":[],"check_results":null}
            """.utf8)
    }

    /// Terraform's LockInfo.
    static func lockInfo(id: String, who: String = "ci@runner", path: String = "infra/team/app.tfstate") -> [UInt8] {
        Array(
            """
            {"ID":"\(id)","Operation":"OperationTypeApply","Info":"","Who":"\(who)","Version":"1.15.0",\
            "Created":"2026-12-06T10:00:00.000000Z","Path":"\(path)"}
            """.utf8)
    }
}

extension Response {
    /// The body as text.
    var text: String { String(decoding: self.body, as: UTF8.self) }
    /// The S3 error code in the body.
    var code: String? {
        guard let start = self.text.firstRange(of: "<Code>"), let end = self.text.firstRange(of: "</Code>") else {
            return nil
        }
        return String(self.text[start.upperBound..<end.lowerBound])
    }
}
