/// The schema, as numbered migrations, each applied once in one transaction with its
/// bookkeeping row. The same model as PostgreSQL's; times are microseconds since 1970.
enum SQLiteMigrations {
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
                    id             INTEGER PRIMARY KEY,
                    name           TEXT NOT NULL,
                    created_at     INTEGER NOT NULL,
                    latest_version INTEGER NOT NULL DEFAULT 0,
                    lock_id        TEXT,
                    lock_info      BLOB,
                    locked_at      INTEGER,
                    locked_by      TEXT,
                    deleted_at     INTEGER,
                    deleted_by     TEXT,
                    CHECK ((lock_id IS NULL) = (lock_info IS NULL))
                );
                -- One live state per name; deleted ones keep their rows (and versions).
                CREATE UNIQUE INDEX states_live_name ON states (name) WHERE deleted_at IS NULL;

                -- content is last: reading the other columns never touches its overflow pages.
                CREATE TABLE state_versions (
                    state_id   INTEGER NOT NULL REFERENCES states (id),
                    number     INTEGER NOT NULL,
                    serial     INTEGER NOT NULL,
                    lineage    TEXT NOT NULL,
                    size       INTEGER NOT NULL,
                    sha256     BLOB NOT NULL,
                    md5        BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    lock_id    TEXT,
                    content    BLOB,
                    PRIMARY KEY (state_id, number)
                );
                """)
    ]

    /// Brings the schema up to date; returns the versions applied.
    static func run(on connection: SQLiteConnection) throws -> [Int] {
        try connection.execute("BEGIN IMMEDIATE")
        do {
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS statehouse_migrations (
                    version    INTEGER PRIMARY KEY,
                    name       TEXT NOT NULL,
                    applied_at INTEGER NOT NULL DEFAULT (unixepoch())
                )
                """)
            var applied: Set<Int> = []
            try connection.query("SELECT version FROM statehouse_migrations") { applied.insert(Int($0.integer(0))) }
            let known = self.all.map(\.version).max() ?? 0
            if let newest = applied.max(), newest > known {
                throw SQLiteError(
                    code: 1,
                    message:
                        "the database schema is at version \(newest), newer than this statehouse knows (\(known)); "
                        + "run a newer statehouse")
            }
            var ran: [Int] = []
            for migration in self.all where !applied.contains(migration.version) {
                try connection.execute(migration.sql)
                try connection.query(
                    "INSERT INTO statehouse_migrations (version, name) VALUES (?, ?)",
                    [.integer(Int64(migration.version)), .text(migration.name)])
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
