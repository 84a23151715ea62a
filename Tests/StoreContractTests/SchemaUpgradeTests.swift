import Application
import Domain
import Gzip
import Logging
import SQLStoreSupport
import Testing

@testable import PostgresStore
@testable import SQLiteStore

#if canImport(Glibc)
    import Glibc
#endif

/// A database written by the first release (schema v1) is upgraded in place: every state,
/// version, lock and deletion survives, and the new features work on the old rows.
@Suite struct SchemaUpgradeTests {
    let v1Body = stateBody(serial: 1)
    let v2Body = stateBody(serial: 2)

    /// The checks run on the upgraded store.
    func expectUpgraded(_ store: any UnitOfWork, clock: ManualClock) throws {
        let read = ReadState(store: store, cache: ContentCache(capacityBytes: 0), heavyWork: HeavyWork(limit: 1))
        #expect(try read.execute(name("legacy"), as: admin, encoding: .identity).body == self.v2Body)
        let details = try ShowState(store: store).execute(name("legacy"), as: admin)
        #expect(details.versionCount == 2)
        #expect(details.entry.state.lock?.info.id == "old-lock")
        #expect(details.entry.state.latest?.metadata == .unknown, "versions from before v2 carry no metadata")
        let deleted = try ListStates(store: store).execute(StateQuery(deleted: true, limit: 10), as: admin)
        #expect(deleted.entries.map(\.state.name.rawValue) == ["legacy"])
        #expect(deleted.entries.first?.deletedBy == "old-admin")

        let purged = try PurgeVersion(store: store, clock: clock, cache: ContentCache(capacityBytes: 0)).execute(
            name("legacy"), version: 1, reason: "old secret", as: admin)
        #expect(purged.purge?.reason == "old secret")
        _ = try UnlockState(store: store, clock: clock).execute(name("legacy"), body: [], as: admin)
        let written = try WriteState(
            store: store, clock: clock, policy: WritePolicy(allowLineageChange: false), compressionLevel: 1
        ).execute(.init(name: name("legacy"), body: stateBody(serial: 3), lockID: nil, contentMD5: nil), as: admin)
        guard case .stored(let record) = written else {
            Issue.record("not stored: \(written)")
            return
        }
        #expect(record.number == 3)
        #expect(record.metadata.terraformVersion == "1.15.5")
        let events = try ReadAudit(store: store).execute(AuditQuery(limit: 10), as: admin).events
        #expect(events.map(\.action) == [.purgeVersion, .forceUnlock, .write])
        // Tokens, and audit events about no state, work on the upgraded schema.
        let token = try CreateToken(store: store, clock: clock, policy: .standard).execute(
            name: "ci", grants: [Grant(prefix: "legacy", access: .read)], expiresIn: nil, as: admin)
        #expect(try store.read { try $0.tokens.token(secretHash: TokenSecret.hash(token.secret)) } == token.token)
        let all = try ReadAudit(store: store).execute(AuditQuery(limit: 10), as: admin).events
        #expect(all.map(\.action) == [.purgeVersion, .forceUnlock, .write, .createToken])
        #expect(all.map(\.state?.rawValue) == ["legacy", "legacy", "legacy", nil])
        // And web UI sessions.
        let session = StoredSession(
            secretHash: SessionSecret.hash(SessionSecret.generate()), holder: .token(id: token.token.id, owner: "root"),
            createdAt: clock.now(), expiresAt: token.token.expiresAt, address: nil)
        try store.transaction { try $0.sessions.insert(session) }
        #expect(try store.read { try $0.sessions.session(secretHash: session.secretHash) } == session)
    }

    @Test func anSQLiteFileAtSchemaTwoKeepsItsAuditLogThroughTheRebuild() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/states.db"
        do {
            let connection = try SQLiteConnection(path: path, busyTimeout: .seconds(10))
            _ = try Migration.apply(
                SQLiteMigrations.all.filter { $0.version <= 2 }, on: connection, dialect: .sqlite)
            try connection.query(
                """
                INSERT INTO audit_events (at, action, state, version, user_name, address, request_id, lock_id, reason,
                                          detail)
                VALUES (1000, 'write', 'team/app', 3, 'ci', '10.0.0.1', 'r-1', 'L1', 'why', 'what')
                """, [])
        }
        let store = try SQLiteStore(
            configuration: .init(path: path, readers: 2, busyTimeout: .seconds(10)),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let events = try ReadAudit(store: store).execute(AuditQuery(limit: 10), as: admin).events
        #expect(
            events == [
                AuditEvent(
                    id: 1, at: Timestamp(microseconds: 1000), action: .write, state: name("team/app"), version: 3,
                    user: "ci", address: "10.0.0.1", requestID: "r-1", lockID: "L1", reason: "why", detail: "what")
            ])
        let inspector = try SQLiteConnection(path: path, busyTimeout: .seconds(10))
        var indexes: [String] = []
        try inspector.query("SELECT name FROM pragma_index_list('audit_events') ORDER BY name", []) {
            indexes.append($0.text(0))
        }
        #expect(
            indexes == [
                "audit_events_by_action", "audit_events_by_state", "audit_events_by_time", "audit_events_by_user",
            ])
    }

    @Test func anSQLiteFileFromTheFirstReleaseIsUpgraded() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/states.db"
        do {
            let connection = try SQLiteConnection(path: path, busyTimeout: .seconds(10))
            let first = try #require(SQLiteMigrations.all.first { $0.version == 1 })
            try connection.execute(
                """
                CREATE TABLE statehouse_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL DEFAULT (unixepoch()));
                INSERT INTO statehouse_migrations (version, name) VALUES (1, 'states, versions and locks');
                """)
            try connection.execute(first.sql)
            for (id, deleted) in [(Int64(1), true), (Int64(2), false)] {
                try connection.query(
                    """
                    INSERT INTO states (id, name, created_at, latest_version, lock_id, lock_info, locked_at, locked_by,
                                        deleted_at, deleted_by)
                    VALUES (?, 'legacy', 1000, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .int64(id), .int64(deleted ? 1 : 2), deleted ? .null : .text("old-lock"),
                        deleted ? .null : .bytes(lockBody("old-lock")), deleted ? .null : .int64(2000),
                        deleted ? .null : .text("ci"), deleted ? .int64(3000) : .null,
                        deleted ? .text("old-admin") : .null,
                    ])
            }
            for (stateID, number, body) in [
                (Int64(1), Int64(1), self.v1Body), (2, 1, self.v1Body), (2, 2, self.v2Body),
            ] {
                let blob = try StateBlob(body: body, compressionLevel: 1)
                try connection.query(
                    """
                    INSERT INTO state_versions
                        (state_id, number, serial, lineage, size, sha256, md5, created_at, created_by, lock_id, content)
                    VALUES (?, ?, ?, '3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a', ?, ?, ?, 1500, 'ci', NULL, ?)
                    """,
                    [
                        .int64(stateID), .int64(number), .int64(number), .int64(blob.size), .bytes(blob.sha256),
                        .bytes(blob.md5), .bytes(blob.gzip),
                    ])
            }
        }
        let store = try SQLiteStore(
            configuration: .init(path: path, readers: 2, busyTimeout: .seconds(10)),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try self.expectUpgraded(store, clock: ManualClock())
        // The rebuilt table keeps the content last, so listing versions never reads the blobs.
        let inspector = try SQLiteConnection(path: path, busyTimeout: .seconds(10))
        var columns: [String] = []
        try inspector.query("SELECT name FROM pragma_table_info('state_versions') ORDER BY cid", []) {
            columns.append($0.text(0))
        }
        #expect(columns.last == "content")
        var problems: [String] = []
        try inspector.query("PRAGMA foreign_key_check", []) { problems.append("\($0.int64(1))") }
        try inspector.query("PRAGMA integrity_check", []) { if $0.text(0) != "ok" { problems.append($0.text(0)) } }
        #expect(problems.isEmpty)
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, "needs scripts/with-postgres"))
    func aPostgreSQLDatabaseFromTheFirstReleaseIsUpgraded() throws {
        let url = try #require(StoreKind.postgresURL)
        let admin = try PostgresConnection(conninfo: url)
        let schema = "upgrade_" + String(UInt64.random(in: 1...UInt64.max), radix: 36)
        try admin.execute("CREATE SCHEMA \(schema); SET search_path = \(schema)")
        let first = try #require(PostgresMigrations.all.first { $0.version == 1 })
        try admin.execute(
            """
            CREATE TABLE statehouse_migrations (
                version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO statehouse_migrations (version, name) VALUES (1, 'states, versions and locks');
            """)
        try admin.execute(first.sql)
        let time = Timestamp(microseconds: 1_700_000_000_000_000)
        for (id, deleted) in [(Int64(1), true), (Int64(2), false)] {
            _ = try admin.result(
                """
                INSERT INTO states (id, name, created_at, latest_version, lock_id, lock_info, locked_at, locked_by,
                                    deleted_at, deleted_by)
                VALUES ($1, 'legacy', $2, $3, $4, $5, $6, $7, $8, $9)
                """,
                [
                    .int64(id), .timestamp(time), .int64(deleted ? 1 : 2), deleted ? .null : .text("old-lock"),
                    deleted ? .null : .bytes(lockBody("old-lock")), deleted ? .null : .timestamp(time),
                    deleted ? .null : .text("ci"), deleted ? .timestamp(time) : .null,
                    deleted ? .text("old-admin") : .null,
                ])
        }
        try admin.execute("SELECT setval('states_id_seq', 2)")
        for (stateID, number, body) in [(Int64(1), Int64(1), self.v1Body), (2, 1, self.v1Body), (2, 2, self.v2Body)] {
            let blob = try StateBlob(body: body, compressionLevel: 1)
            _ = try admin.result(
                """
                INSERT INTO state_versions
                    (state_id, number, serial, lineage, size, sha256, md5, content, created_at, created_by, lock_id)
                VALUES ($1, $2, $2, '3f0a7c52-2c2e-1b6d-8a1e-9a0f1d2c3b4a', $3, $4, $5, $6, $7, 'ci', NULL)
                """,
                [
                    .int64(stateID), .int64(number), .int64(blob.size), .bytes(blob.sha256), .bytes(blob.md5),
                    .bytes(blob.gzip), .timestamp(time),
                ])
        }
        let separator = url.contains("?") ? "&" : "?"
        let store = PostgresStore(
            configuration: .init(
                url: "\(url)\(separator)options=-csearch_path%3D\(schema)", poolSize: 4, checkoutTimeout: .seconds(30),
                statementTimeout: .seconds(30)))
        #expect(try store.migrate() == [2, 3, 4, 5, 6, 7])
        try self.expectUpgraded(store, clock: ManualClock())
    }
}
