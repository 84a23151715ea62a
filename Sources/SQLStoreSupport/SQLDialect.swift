/// Where the SQL of the two stores differs, for the statements they share.
package enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// Appended to a name column or parameter so that names compare bytewise (PostgreSQL's
    /// `COLLATE "C"`; SQLite's text compares bytewise already).
    package var bytewise: String {
        switch self {
        case .sqlite: ""
        case .postgres: #" COLLATE "C""#
        }
    }

    /// A condition that the state name `s.name` starts with the text parameter `parameter`.
    package func nameStartsWith(_ parameter: String) -> String {
        switch self {
        case .sqlite: "substr(s.name, 1, length(\(parameter))) = \(parameter)"
        case .postgres: "starts_with(s.name, \(parameter))"
        }
    }

    /// A condition that the state name `s.name`, its ASCII letters lowered, contains the text
    /// parameter `parameter` (no `LIKE`: its wildcards would need escaping).
    package func lowercasedNameContains(_ parameter: String) -> String {
        switch self {
        // SQLite's lower() folds ASCII letters only.
        case .sqlite: "instr(lower(s.name), \(parameter)) > 0"
        // Under "C", lower() folds ASCII letters only, whatever the database's locale.
        case .postgres: #"strpos(lower(s.name COLLATE "C"), \#(parameter)) > 0"#
        }
    }

    /// Appended to a `SELECT` to take the row locks PostgreSQL needs; SQLite's `BEGIN IMMEDIATE`
    /// already holds the whole database's write lock.
    package var forUpdate: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE"
        }
    }

    /// Whether a data-modifying statement may sit in a `WITH` clause, so that a version is inserted
    /// and made current in one round trip.
    package var writableCTEs: Bool { self == .postgres }

    /// Starts the one transaction that applies migrations, with whatever lock keeps two servers
    /// from migrating at once.
    package var beginMigrations: String {
        switch self {
        case .sqlite: "BEGIN IMMEDIATE"
        // Any constant works; this one spells "statehouse" badly enough to be unique.
        case .postgres: "BEGIN; SELECT pg_advisory_xact_lock(7411006500)"
        }
    }

    /// Creates the bookkeeping table of applied migrations if it is missing.
    package var migrationsTable: String {
        switch self {
        case .sqlite:
            """
            CREATE TABLE IF NOT EXISTS statehouse_migrations (
                version    INTEGER PRIMARY KEY,
                name       TEXT NOT NULL,
                applied_at INTEGER NOT NULL DEFAULT (unixepoch())
            )
            """
        case .postgres:
            """
            CREATE TABLE IF NOT EXISTS statehouse_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        }
    }
}
