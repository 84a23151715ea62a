import Foundation
import HTTPServer
import HTTPTestSupport
import PasswordAuth
import SystemSupport
import Testing

/// The stores an end-to-end test can run on.
enum EndToEndStore: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { self.rawValue }
}

/// A `statehouse serve` process on its own fresh database (a new SQLite file or a new
/// PostgreSQL database), with one user `ci` / `pw` holding admin on every state.
final class StatehouseUnderTest: Sendable {
    let process: ServerProcess
    let port: Int
    /// The PostgreSQL URL or SQLite path.
    let databaseURL: String
    static let authorization = "Basic " + Base64.encode(Array("ci:pw".utf8))

    /// Starts a server; pass `databaseURL` to share a PostgreSQL database with another server, and
    /// `configuration` to add TOML tables (more users, protected prefixes) to its config file.
    init(store: EndToEndStore = .postgres, databaseURL: String? = nil, configuration: String = "") throws {
        let url: String
        let storage: String
        switch store {
        case .postgres:
            url = try databaseURL ?? TestEnvironment.createDatabase()
            storage = "driver = \"postgres\"\nurl = \"\(url)\""
        case .sqlite:
            url = try databaseURL ?? TestEnvironment.temporaryDirectory() + "/states.db"
            storage = "driver = \"sqlite\"\npath = \"\(url)\""
        }
        let config = try TestEnvironment.writeConfig(
            """
            [server]
            host = "127.0.0.1"
            port = 0
            [storage]
            \(storage)
            pool_size = 8
            [[users]]
            name = "ci"
            password_hash = "\(PasswordHash.make(password: "pw", iterations: 1000))"
            grants = { "*" = "admin" }
            \(configuration)
            """)
        self.databaseURL = url
        self.process = try ServerProcess(arguments: ["serve", "--config", config])
        guard let port = self.process.waitForPort(timeout: 60) else {
            throw TestEnvironmentError(
                "statehouse did not start: \(self.process.standardOutput)\(self.process.standardError)")
        }
        self.port = port
    }

    deinit {
        self.process.send(SIGTERM)
        _ = self.process.waitForExit()
    }

    /// A keep-alive client that sends the user's credentials.
    func client() throws -> StateClient { StateClient(try TestClient(port: self.port)) }
}

/// Protocol requests over one kept-alive connection.
struct StateClient {
    let connection: TestClient

    init(_ connection: TestClient) { self.connection = connection }

    /// Sends the request with `authorization` (by default the user's Basic credentials).
    func request(
        _ method: String, _ target: String, body: String = "",
        authorization: String = StatehouseUnderTest.authorization
    ) throws -> TestClient.Reply {
        try self.connection.exchange(
            "\(method) \(target) HTTP/1.1\r\nHost: test\r\nAuthorization: \(authorization)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)",
            timeout: .seconds(60))
    }
}

func lockJSON(_ id: String) -> String {
    #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"test@e2e","Version":"1.15.5","Created":"2026-11-22T00:00:00Z","Path":""}"#
}
