import Foundation
import HTTPTestSupport

/// A PostgreSQL cluster of one test's own, which the test may stop and start again (on the
/// same port), crash, or pair with a streaming standby, without disturbing the shared cluster of
/// `scripts/with-postgres`. `pg_ctl -w` returns once the server accepts connections, has stopped
/// or has been promoted, so nothing sleeps.
final class PrivatePostgres: Sendable {
    /// How `stop` ends the server.
    enum Shutdown: String {
        /// Sessions are ended; a standby receives the last WAL first.
        case fast
        /// A crash: no checkpoint, recovery runs at the next start.
        case immediate
    }

    let directory: String
    let port: Int
    /// The `statehouse` database on it.
    let url: String
    private let binaries: String
    private let asOwner: [String]

    /// A new cluster with a `statehouse` role and database.
    convenience init() throws {
        try self.init(copying: nil)
        let created = try TestEnvironment.run([
            "psql", "postgresql://postgres@127.0.0.1:\(self.port)/postgres", "-v", "ON_ERROR_STOP=1", "-qc",
            "CREATE ROLE statehouse LOGIN SUPERUSER", "-c", "CREATE DATABASE statehouse OWNER statehouse",
        ])
        guard created.status == 0 else { throw TestEnvironmentError("createdb failed: \(created.output)") }
    }

    /// A hot standby of `primary`, streaming from it (`pg_basebackup -R`), started and serving
    /// read-only queries on its own port.
    convenience init(standbyOf primary: PrivatePostgres) throws {
        try self.init(copying: primary)
    }

    private init(copying primary: PrivatePostgres?) throws {
        guard let binaries = ProcessInfo.processInfo.environment["TEST_POSTGRES_BIN"] else {
            throw TestEnvironmentError("TEST_POSTGRES_BIN is not set; run the tests through scripts/with-postgres")
        }
        self.binaries = binaries
        self.directory = try TestEnvironment.temporaryDirectory()
        // initdb refuses root: the cluster belongs to the postgres user then.
        self.asOwner = getuid() == 0 ? ["runuser", "-u", "postgres", "--"] : []
        if getuid() == 0 {
            _ = try TestEnvironment.run(["chown", "postgres", self.directory])
        }
        self.port = try PrivatePostgres.freePort()
        self.url = "postgresql://statehouse@127.0.0.1:\(self.port)/statehouse"
        if let primary {
            try self.run([
                "pg_basebackup", "-h", "127.0.0.1", "-p", "\(primary.port)", "-U", "postgres", "-D",
                self.directory + "/data", "-R", "-X", "stream", "-c", "fast", "--no-sync",
            ])
        } else {
            try self.run(["initdb", "-D", self.directory + "/data", "-U", "postgres", "-A", "trust", "--no-sync"])
        }
        try self.start()
    }

    deinit {
        try? self.stop()
        try? FileManager.default.removeItem(atPath: self.directory)
    }

    /// Starts the server and returns once it accepts connections.
    func start() throws {
        try self.run([
            "pg_ctl", "-D", self.directory + "/data", "-l", self.directory + "/postgres.log", "-w", "start", "-o",
            "-h 127.0.0.1 -p \(self.port) -k \(self.directory) -c fsync=off",
        ])
    }

    /// Stops the server and returns once it has exited.
    func stop(_ mode: Shutdown = .fast) throws {
        try self.run(["pg_ctl", "-D", self.directory + "/data", "-m", mode.rawValue, "-w", "stop"])
    }

    /// Promotes a standby to a primary and returns once it accepts writes.
    func promote() throws {
        try self.run(["pg_ctl", "-D", self.directory + "/data", "-w", "promote"])
    }

    /// Runs `sql` as the superuser in the `postgres` database; returns psql's unaligned output.
    func query(_ sql: String) throws -> String {
        let result = try TestEnvironment.run([
            "psql", "postgresql://postgres@127.0.0.1:\(self.port)/postgres", "-v", "ON_ERROR_STOP=1", "-Atc", sql,
        ])
        guard result.status == 0 else { throw TestEnvironmentError("psql failed: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func run(_ arguments: [String]) throws {
        // Through Python with close_fds: Foundation's Process learns that a child exited when
        // every copy of a socket it hands down is closed, and the server that pg_ctl leaves
        // running would otherwise hold one for its whole life.
        let command =
            [
                "python3", "-c",
                "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], close_fds=True).returncode)",
            ] + self.asOwner + [self.binaries + "/" + arguments[0]] + arguments.dropFirst()
        let result = try TestEnvironment.run(command)
        guard result.status == 0 else {
            throw TestEnvironmentError("\(arguments[0]) failed (\(result.status)): \(result.output)")
        }
    }

    private static func freePort() throws -> Int {
        let result = try TestEnvironment.run([
            "python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])",
        ])
        guard result.status == 0, let port = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestEnvironmentError("no free port: \(result.output)")
        }
        return port
    }
}
