import Application
import Domain
import Gzip
import Logging
import Synchronization
import Testing

@testable import InMemoryStore
@testable import PostgresStore
@testable import SQLiteStore

#if canImport(Glibc)
    import Glibc
#endif

/// The adapters every contract case runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case sqlite
    case postgres

    var testDescription: String { self.rawValue }

    /// The PostgreSQL started by scripts/with-postgres, if any.
    static var postgresURL: String? { getenv("TEST_POSTGRES_URL").map { String(cString: $0) } }

    /// Every adapter available here: PostgreSQL only when the test command started one.
    static var available: [StoreKind] { postgresURL == nil ? [.memory, .sqlite] : [.memory, .sqlite, .postgres] }
}

/// A clock the test moves by hand.
final class ManualClock: WallClock {
    private let current = Mutex(Timestamp(microseconds: 1_795_000_000_000_000))
    func now() -> Timestamp { self.current.withLock { $0 } }
    func advance(seconds: Int64) {
        self.current.withLock { $0 = Timestamp(microseconds: $0.microseconds + seconds * 1_000_000) }
    }
}

/// A fresh, empty store of one kind, with the use cases over it.
/// A directory removed when the last fixture using it goes away.
final class TemporaryDirectory: Sendable {
    let path = "/tmp/statehouse-contract-\(UInt64.random(in: 1...UInt64.max))"
    init() { mkdir(self.path, 0o700) }
    deinit {
        for file in ["states.db", "states.db-wal", "states.db-shm", "states.db-reserve"] {
            unlink(self.path + "/" + file)
        }
        rmdir(self.path)
    }
}

struct Fixture {
    let kind: StoreKind
    /// The store the use cases run on: `raw`, sealed with the keys when the fixture has some.
    let store: any UnitOfWork
    /// The adapter itself, whose contents are the bytes on disk.
    let raw: any UnitOfWork
    /// The SQLite file, for an SQLite fixture.
    let sqliteFile: String?
    /// Keeps an SQLite store's directory until the fixture is gone.
    private let directory: TemporaryDirectory?
    let clock = ManualClock()
    /// Every version row in the store, deleted states included.
    let countAllVersions: () throws -> Int
    /// Runs SQL in the store's schema (PostgreSQL only).
    let execute: (String) throws -> Void

    /// A fresh store of `kind`; an SQLite one at `sqlitePath` when given (its directory is the
    /// caller's), else in a temporary directory; its versions sealed with `keys` when given.
    init(_ kind: StoreKind, sqlitePath: String? = nil, keys: (any KeyProvider)? = nil) throws {
        self.kind = kind
        let raw: any UnitOfWork
        var sqliteFile: String? = nil
        switch kind {
        case .memory:
            let store = InMemoryStore()
            raw = store
            self.directory = nil
            self.countAllVersions = { store.versionCount() }
            self.execute = { _ in Issue.record("no SQL in the memory store") }
        case .sqlite:
            let directory = sqlitePath == nil ? TemporaryDirectory() : nil
            self.directory = directory
            let path = sqlitePath ?? (directory?.path ?? "") + "/states.db"
            sqliteFile = path
            raw = try SQLiteStore(
                configuration: .init(path: path, readers: 4, busyTimeout: .seconds(60)),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let inspector = try SQLiteConnection(path: path, busyTimeout: .seconds(60))
            self.countAllVersions = {
                var count = 0
                try inspector.query("SELECT count(*) FROM state_versions", []) { count = Int($0.int64(0)) }
                return count
            }
            self.execute = { sql in try inspector.execute(sql) }
        case .postgres:
            self.directory = nil
            let url = try #require(StoreKind.postgresURL)
            let admin = try PostgresConnection(conninfo: url)
            var generator = SystemRandomNumberGenerator()
            let schema = "t_" + String(UInt64.random(in: 1...UInt64.max, using: &generator), radix: 36)
            try admin.execute("CREATE SCHEMA \(schema)")
            let separator = url.contains("?") ? "&" : "?"
            let store = PostgresStore(
                configuration: .init(
                    url: "\(url)\(separator)options=-csearch_path%3D\(schema)", poolSize: 24,
                    checkoutTimeout: .seconds(30), statementTimeout: .seconds(30)))
            try store.migrate()
            raw = store
            self.countAllVersions = {
                Int(try admin.result("SELECT count(*) FROM \(schema).state_versions").int64(0, 0))
            }
            self.execute = { sql in try admin.execute("SET search_path = \(schema); \(sql)") }
        }
        self.raw = raw
        self.sqliteFile = sqliteFile
        self.store = keys.map { EncryptingStore(wrapping: raw, keys: $0) } ?? raw
    }

    func read() -> ReadState {
        ReadState(store: self.store, cache: ContentCache(capacityBytes: 0), heavyWork: HeavyWork(limit: 1))
    }
    func write(allowLineageChange: Bool = false) -> WriteState {
        WriteState(
            store: self.store, clock: self.clock, policy: WritePolicy(allowLineageChange: allowLineageChange),
            compressionLevel: 1)
    }
    func lock() -> LockState { LockState(store: self.store, clock: self.clock) }
    func unlock() -> UnlockState { UnlockState(store: self.store, clock: self.clock) }
    func delete() -> DeleteState { DeleteState(store: self.store, clock: self.clock) }

    /// Every version of the live state `name`, with its decompressed bytes.
    func history(_ name: StateName) throws -> [(VersionRecord, [UInt8])] {
        try self.store.transaction { transaction in
            guard let state = try transaction.states.stateForUpdate(named: name) else { return [] }
            return try transaction.catalog.versions(stateID: state.id).map { record in
                let gzip = try #require(
                    try transaction.states.content(of: state.name, stateID: state.id, version: record.number))
                return (record, try Gzip.decompress(gzip))
            }
        }
    }
}

let admin = Caller(Principal(name: "root", grants: [Grant(prefix: "*", access: .admin)]))

func name(_ text: String) -> StateName { try! StateName(text) }

/// A Terraform-like state body.
func stateBody(serial: Int64, lineage: String = "3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a", padding: Int = 0) -> [UInt8] {
    Array(
        """
        {
          "version": 4,
          "terraform_version": "1.15.5",
          "serial": \(serial),
          "lineage": "\(lineage)",
          "outputs": {"note": {"value": "\(String(repeating: "x", count: padding))", "type": "string"}},
          "resources": [],
          "check_results": null
        }

        """.utf8)
}

func lockBody(_ id: String, who: String = "alice@host") -> [UInt8] {
    Array(
        #"{"ID":"\#(id)","Operation":"OperationTypeApply","Info":"","Who":"\#(who)","Version":"1.15.5","Created":"2026-11-22T10:00:00Z","Path":""}"#
            .utf8)
}

func expectError(
    _ kind: ApplicationError.Kind, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(kind), got success", sourceLocation: sourceLocation)
    } catch let error as ApplicationError {
        #expect(error.kind == kind, "\(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(kind), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Expects `body` to fail as locked by the holder that sent `info`.
func expectLocked(
    by info: LockInfo, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected locked by \(info.id), got success", sourceLocation: sourceLocation)
    } catch let error as ApplicationError {
        guard case .locked(let lock) = error.kind else {
            Issue.record("expected locked by \(info.id), got \(error.kind)", sourceLocation: sourceLocation)
            return
        }
        #expect(lock.info == info, "\(error.message)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected locked by \(info.id), got \(error)", sourceLocation: sourceLocation)
    }
}
