import Application
import Dispatch
import Domain
import Testing

@testable import PostgresStore

/// How the PostgreSQL adapter behaves when the database misbehaves: every failure a client
/// could retry is `unavailable` (503 with Retry-After at the edge), never a fault.
@Suite struct PostgresFailureTests {
    @Test func anUnreachableDatabaseIsUnavailable() {
        let store = PostgresStore(
            configuration: .init(
                url: "postgresql://statehouse@127.0.0.1:1/none?connect_timeout=2", poolSize: 1,
                checkoutTimeout: .seconds(1), statementTimeout: .seconds(5)))
        #expect(throws: StoreError.self) { try store.ping() }
        do {
            _ = try store.transaction { try $0.states.stateForUpdate(named: try StateName("s")) }
            Issue.record("expected a failure")
        } catch let error as StoreError {
            #expect(error.kind == .unavailable)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil))
    func anExhaustedPoolIsUnavailableAfterTheCheckoutTimeout() throws {
        let fixture = try Fixture(.postgres)
        let url = try #require(StoreKind.postgresURL)
        let store = PostgresStore(
            configuration: .init(
                url: url, poolSize: 1, checkoutTimeout: .milliseconds(200), statementTimeout: .seconds(30)))
        let holding = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? store.transaction { _ in
                holding.signal()
                release.wait()
            }
            done.signal()
        }
        holding.wait()
        do {
            try store.transaction { _ in }
            Issue.record("expected the pool to be exhausted")
        } catch let error as StoreError {
            #expect(error.kind == .unavailable)
            #expect(error.message.contains("checkout timeout"))
        }
        release.signal()
        done.wait()
        try store.transaction { _ in }
        _ = fixture
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil))
    func aFullDiskIsDiskFullAndReadsGoOn() throws {
        let f = try Fixture(.postgres)
        _ = try f.write().execute(
            .init(name: name("s"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        // What PostgreSQL answers when it cannot extend a table's file, on every change to a state.
        try f.execute(
            """
            CREATE FUNCTION refuse_for_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
                RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';
            END $$;
            CREATE TRIGGER disk_full BEFORE UPDATE ON states FOR EACH ROW EXECUTE FUNCTION refuse_for_disk_full()
            """)
        expectError(.diskFull) { _ = try f.lock().execute(name("s"), body: lockBody("A"), as: admin) }
        #expect(try f.read().execute(name("s"), as: admin, encoding: .gzip).version.serial == 1)
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil))
    func preparedStatementsSurviveASchemaChangeByAnotherServer() throws {
        let f = try Fixture(.postgres)
        let write = f.write()
        _ = try write.execute(
            .init(name: name("s"), body: stateBody(serial: 1), lockID: nil, contentMD5: nil), as: admin)
        #expect(try f.read().execute(name("s"), as: admin, encoding: .gzip).version.serial == 1)
        // Another server migrates: a result column changes type under the prepared statements.
        try f.execute("ALTER TABLE state_versions ALTER COLUMN lineage TYPE varchar(200)")
        #expect(try f.read().execute(name("s"), as: admin, encoding: .gzip).version.serial == 1)
        _ = try write.execute(
            .init(name: name("s"), body: stateBody(serial: 2), lockID: nil, contentMD5: nil), as: admin)
        #expect(try f.history(name("s")).map(\.0.serial) == [1, 2])
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil))
    func aDroppedConnectionIsReplacedWithoutFailingTheNextTransaction() throws {
        let (store, terminate) = try self.taggedStore(poolSize: 1)
        // The server ends the idle pooled connection, as a restart or a proxy timeout would.
        #expect(try terminate() == 1)
        #expect(try store.transaction { try $0.states.stateForUpdate(named: try StateName("nothing")) } == nil)
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil))
    func aRestartedDatabaseCostsOneFailedQueryNotOnePerPooledConnection() throws {
        let (store, terminate) = try self.taggedStore(poolSize: 6)
        // Six transactions at once leave six idle connections in the pool.
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for index in 0..<6 {
            // A serial queue each: they get their own thread at once, unlike the global queue.
            DispatchQueue(label: "transaction-\(index)").async(group: group) {
                _ = try? store.transaction { _ in
                    entered.signal()
                    release.wait()
                }
            }
        }
        for _ in 0..<6 { entered.wait() }
        for _ in 0..<6 { release.signal() }
        group.wait()
        // All of them die together, as in a restart or a failover.
        #expect(try terminate() == 6)
        // More dead connections than a read retries: the first broken one empties the idle
        // pool, so the retry runs on a fresh connection.
        #expect(try store.read { try $0.catalog.state(named: try StateName("nothing")) } == nil)
        try store.ping()
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil))
    func aReadOnlyDatabaseIsUnavailableAndItsConnectionsAreNotKept() throws {
        let url = try #require(StoreKind.postgresURL)
        let admin = try PostgresConnection(conninfo: url)
        // Sessions of this role start read-only, as every session on a hot standby does.
        let role = "standby_\(UInt32.random(in: 0...UInt32.max))"
        let schemaURL = "\(url)\(url.contains("?") ? "&" : "?")options=-csearch_path%3D\(role)"
        try admin.execute("CREATE SCHEMA \(role)")
        try PostgresStore(
            configuration: .init(
                url: schemaURL, poolSize: 1, checkoutTimeout: .seconds(5), statementTimeout: .seconds(30))
        ).migrate()
        try admin.execute(
            "CREATE ROLE \(role) LOGIN SUPERUSER; ALTER ROLE \(role) SET default_transaction_read_only = on")
        let store = PostgresStore(
            configuration: .init(
                url: "\(schemaURL)&user=\(role)", poolSize: 1, checkoutTimeout: .seconds(5),
                statementTimeout: .seconds(30)))
        #expect(try store.read { try $0.catalog.state(named: try StateName("nothing")) } == nil)  // reads work
        #expect(throws: StoreError.self) { try store.ping() }  // but it is not ready
        do {
            _ = try store.transaction { try $0.states.stateForUpdate(named: try StateName("nothing")) }
            Issue.record("expected the write transaction to fail")
        } catch let error as StoreError {
            #expect(error.kind == .unavailable)  // 503 with Retry-After, not a 500
            #expect(error.message.contains("read-only"))
        }
        // The primary is back (or the standby promoted): a read-only connection kept in the pool
        // would still refuse, so passing proves it was closed.
        try admin.execute("ALTER ROLE \(role) RESET default_transaction_read_only")
        #expect(try store.transaction { try $0.states.stateForUpdate(named: try StateName("nothing")) } == nil)
        try store.ping()
    }

    /// A migrated store whose connections carry their own application_name, and a function that
    /// ends every server session of theirs and returns how many it ended.
    private func taggedStore(poolSize: Int) throws -> (PostgresStore, () throws -> Int64) {
        let url = try #require(StoreKind.postgresURL)
        let application = "tagged_\(UInt32.random(in: 0...UInt32.max))"
        let separator = url.contains("?") ? "&" : "?"
        let store = PostgresStore(
            configuration: .init(
                url: "\(url)\(separator)application_name=\(application)", poolSize: poolSize,
                checkoutTimeout: .seconds(5), statementTimeout: .seconds(30)))
        try store.migrate()
        let terminate = {
            try PostgresConnection(conninfo: url).result(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
                [.text(application)]
            ).int64(0, 0)
        }
        return (store, terminate)
    }
}
