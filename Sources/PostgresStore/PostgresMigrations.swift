/// The schema, as numbered migrations. Each runs once, in order, in one transaction with the
/// bookkeeping row that records it; an advisory lock keeps two servers from migrating at once.
enum PostgresMigrations {
    struct Migration {
        let version: Int
        let name: String
        let sql: String
    }

    /// Never edit a migration once released: add a new one.
    static let all: [Migration] = [
        Migration(
            version: 1, name: "states, versions and locks",
            sql: """
                CREATE TABLE states (
                    id             bigserial PRIMARY KEY,
                    name           text NOT NULL,
                    created_at     timestamptz NOT NULL,
                    latest_version bigint NOT NULL DEFAULT 0,
                    lock_id        text,
                    lock_info      bytea,
                    locked_at      timestamptz,
                    locked_by      text,
                    deleted_at     timestamptz,
                    deleted_by     text,
                    CHECK ((lock_id IS NULL) = (lock_info IS NULL))
                );
                -- One live state per name; deleted ones keep their rows (and versions).
                CREATE UNIQUE INDEX states_live_name ON states (name) WHERE deleted_at IS NULL;

                CREATE TABLE state_versions (
                    state_id   bigint NOT NULL REFERENCES states (id),
                    number     bigint NOT NULL,
                    serial     bigint NOT NULL,
                    lineage    text NOT NULL,
                    size       bigint NOT NULL,
                    sha256     bytea NOT NULL,
                    md5        bytea NOT NULL,
                    content    bytea,
                    created_at timestamptz NOT NULL,
                    created_by text NOT NULL,
                    lock_id    text,
                    PRIMARY KEY (state_id, number)
                );
                -- The content is gzip already: store it out of line without TOAST compression.
                ALTER TABLE state_versions ALTER COLUMN content SET STORAGE EXTERNAL;
                """),
        Migration(
            version: 2, name: "version metadata, purges, rollbacks, audit log",
            sql: """
                ALTER TABLE state_versions
                    ADD COLUMN terraform_version text,
                    ADD COLUMN resource_count    bigint,
                    ADD COLUMN output_names      text NOT NULL DEFAULT '[]',
                    ADD COLUMN encrypted         boolean NOT NULL DEFAULT false,
                    ADD COLUMN rollback_of       bigint,
                    ADD COLUMN purged_at         timestamptz,
                    ADD COLUMN purged_by         text,
                    ADD COLUMN purge_reason      text,
                    ADD CHECK ((purged_at IS NULL) = (content IS NOT NULL));

                -- Listing pages through names in byte order, whatever the database's collation.
                CREATE INDEX states_by_name ON states ((name COLLATE "C"), id);
                CREATE INDEX states_locked ON states (locked_at) WHERE lock_id IS NOT NULL;

                CREATE TABLE audit_events (
                    id         bigserial PRIMARY KEY,
                    at         timestamptz NOT NULL,
                    action     text NOT NULL,
                    state      text NOT NULL,
                    version    bigint,
                    user_name  text NOT NULL,
                    address    text,
                    request_id text,
                    lock_id    text,
                    reason     text,
                    detail     text
                );
                CREATE INDEX audit_events_by_state ON audit_events (state, id);
                CREATE INDEX audit_events_by_time ON audit_events (at);
                """),
    ]

    /// Brings the schema up to date; returns the versions applied.
    @discardableResult
    static func run(on connection: PostgresConnection) throws(PostgresError) -> [Int] {
        try connection.execute("BEGIN")
        do throws(PostgresError) {
            // Any constant works; this one spells "statehouse" badly enough to be unique.
            try connection.execute("SELECT pg_advisory_xact_lock(7411006500)")
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS statehouse_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let rows = try connection.query("SELECT version FROM statehouse_migrations")
            let applied = Set((0..<rows.rowCount).map { Int(rows.int64($0, 0)) })
            let known = self.all.map(\.version)
            if let newest = applied.max(), newest > known.max() ?? 0 {
                throw PostgresError(
                    sqlState: nil,
                    message: "the database schema is at version \(newest), newer than this statehouse knows "
                        + "(\(known.max() ?? 0)); run a newer statehouse",
                    connectionBroken: false)
            }
            var ran: [Int] = []
            for migration in self.all where !applied.contains(migration.version) {
                try connection.execute(migration.sql)
                try connection.query(
                    "INSERT INTO statehouse_migrations (version, name) VALUES ($1, $2)",
                    [.int64(Int64(migration.version)), .text(migration.name)])
                ran.append(migration.version)
            }
            try connection.execute("COMMIT")
            return ran
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }
}
