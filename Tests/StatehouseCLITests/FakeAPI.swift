import Dispatch
import Foundation
import HTTPServer
import Logging
import Synchronization
import Testing

@testable import StatehouseCLI

#if canImport(Glibc)
    import Glibc
#endif

/// A fake management API on a real socket: the package's own HTTPServer, answering with canned
/// contract-shaped JSON and recording every request it gets.
final class FakeAPI: Sendable {
    /// A request as the server saw it.
    struct Seen: Sendable {
        var method: String
        /// The path as sent, still percent-encoded.
        var rawPath: String
        var query: [String: String]
        var headers: HTTPHeaders
        var body: String
    }

    /// The requests received, shared with the responder closure.
    private final class Log: Sendable {
        let entries = Mutex<[Seen]>([])
    }

    let server: HTTPServer
    let port: Int
    let host: String
    private let log = Log()

    /// Starts a server on `host` port 0 that answers every request with `answer`.
    init(
        host: String = "127.0.0.1", tls: TLSConfiguration? = nil,
        answer: @escaping @Sendable (Request) -> Response
    ) throws {
        var configuration = HTTPServerConfiguration()
        configuration.host = host
        configuration.port = 0
        configuration.tls = tls
        let log = self.log
        self.server = try HTTPServer(
            configuration: configuration,
            responder: ClosureResponder { request in
                let query = Dictionary(
                    request.head.target.query.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
                log.entries.withLock {
                    $0.append(
                        Seen(
                            method: request.method, rawPath: request.head.target.rawPath, query: query,
                            headers: request.headers, body: String(decoding: request.body, as: UTF8.self)))
                }
                return answer(request)
            },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try self.server.start()
        self.port = self.server.addresses[0].port
        self.host = host
    }

    /// A server answering every request with `status` and `json`.
    convenience init(status: Int = 200, json: String, headers: HTTPHeaders = [:]) throws {
        try self.init { _ in FakeAPI.response(status: status, json: json, headers: headers) }
    }

    deinit { self.server.shutdown(drainTimeout: .seconds(5)) }

    /// `http://127.0.0.1:<port>`.
    var url: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "http://\(host):\(self.port)"
    }

    /// Every request so far, in order.
    var requests: [Seen] { self.log.entries.withLock { $0 } }

    /// A JSON response.
    static func response(status: Int, json: String, headers: HTTPHeaders = [:]) -> Response {
        var headers = headers
        headers.add(name: "Content-Type", value: "application/json")
        return Response(status: HTTPStatus(code: status), headers: headers, body: Array(json.utf8))
    }

    /// Whether this host can bind ::1.
    static let ipv6Available: Bool = {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
            }
        }
    }()
}

/// A one-connection server on 127.0.0.1 that reads one request head and answers with exactly
/// `reply` bytes then closes — or, with `nil`, never answers and waits for the client to leave.
final class RawServer: Sendable {
    let port: Int
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)

    init(reply: [UInt8]?) throws {
        let (listener, port) = try listeningSocket(listen: true)
        self.listener = listener
        self.port = port
        let finished = self.finished
        Thread.detachNewThread {
            defer { finished.signal() }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            defer { close(fd) }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !received.ends(with: Array("\r\n\r\n".utf8)) {
                let count = recv(fd, &buffer, buffer.count, 0)
                guard count > 0 else { return }
                received += buffer[..<count]
            }
            if let reply {
                _ = reply.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            } else {
                while recv(fd, &buffer, buffer.count, 0) > 0 {}
            }
        }
    }

    deinit {
        shutdown(self.listener, Int32(SHUT_RDWR))
        self.finished.wait()
        close(self.listener)
    }

    var url: String { "http://127.0.0.1:\(self.port)" }
}

/// A TCP socket bound to 127.0.0.1 on a free port: listening, or (for refused connections) not.
func listeningSocket(listen shouldListen: Bool) throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
        }
    }
    guard bound, !shouldListen || listen(fd, 4) == 0 else {
        close(fd)
        throw POSIXError(.EADDRNOTAVAIL)
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

extension [UInt8] {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        self.count >= suffix.count && Array(self.suffix(suffix.count)) == suffix
    }
}

/// What a command printed and its exit status.
struct Outcome {
    var status: Int32
    var output: String
    var error: String
}

/// Parses `arguments` for `command` and runs it with `environment` (no process environment).
func run<Command: APICommand>(
    _ command: Command.Type, _ arguments: [String], environment: [String: String] = [:],
    timeout: Duration = .seconds(10)
) throws -> Outcome {
    let output = Mutex("")
    let error = Mutex("")
    let console = Console(
        output: { text in output.withLock { $0 += text } }, error: { text in error.withLock { $0 += text } })
    let status = try Command.parse(arguments).execute(environment: environment, console: console, timeout: timeout)
    return Outcome(status: status, output: output.withLock { $0 }, error: error.withLock { $0 })
}

/// Canned objects in the contract's shape.
enum Fixture {
    static let lock = """
        {"id": "5c1d", "operation": "OperationTypeApply", "who": "me@host", "info": "", "version": "1.15.5",
         "created": "2026-11-22T10:11:00.000000Z", "path": "", "acquired_at": "2026-11-22T10:11:12.123456Z",
         "acquired_by": "alice", "age_seconds": 192}
        """

    static func state(_ name: String, lock: String = "null", extra: String = "") -> String {
        """
        {"name": "\(name)", "id": 7, "created_at": "2026-11-20T08:00:00.000001Z", "version": 3, "serial": 5,
         "lineage": "9b2f", "size": 1234, "terraform_version": "1.15.5", "resource_count": 2, "encrypted": false,
         "updated_at": "2026-11-22T10:11:12.123456Z", "updated_by": "alice", "lock": \(lock),
         "deleted_at": null, "deleted_by": null\(extra)}
        """
    }

    static func version(_ number: Int, serial: Int, rollbackOf: String = "null", current: Bool = false) -> String {
        """
        {"number": \(number), "serial": \(serial), "lineage": "9b2f", "size": 2048, "sha256": "ab", "md5": "cd",
         "created_at": "2026-11-22T10:11:12.123456Z", "created_by": "alice", "lock_id": null,
         "terraform_version": "1.15.5", "resource_count": 2, "encrypted": false, "rollback_of": \(rollbackOf),
         "current": \(current), "purged_at": null, "purged_by": null, "purge_reason": null}
        """
    }
}
