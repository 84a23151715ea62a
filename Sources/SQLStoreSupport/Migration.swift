import Application

/// One numbered step of a store's schema. Never edit a migration once released: add a new one.
package struct Migration: Sendable {
    /// Applied in increasing order, once each.
    package let version: Int
    /// What it does, recorded with it.
    package let name: String
    /// The statements.
    package let sql: String

    /// Creates a migration.
    package init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// Brings the schema on `connection` up to date: every migration not yet applied runs, in
    /// order, in one transaction with the bookkeeping rows that record them. Returns the
    /// versions applied; a schema newer than `migrations` is refused.
    package static func apply(
        _ migrations: [Migration], on connection: any SQLConnection, dialect: SQLDialect
    ) throws -> [Int] {
        try connection.execute(dialect.beginMigrations)
        do {
            try connection.execute(dialect.migrationsTable)
            let applied = Set(try connection.rows("SELECT version FROM statehouse_migrations") { Int($0.int64(0)) })
            let known = migrations.map(\.version).max() ?? 0
            if let newest = applied.max(), newest > known {
                throw StoreError(
                    .fault,
                    "the database schema is at version \(newest), newer than this statehouse knows (\(known)); "
                        + "run a newer statehouse")
            }
            var ran: [Int] = []
            for migration in migrations.sorted(by: { $0.version < $1.version })
            where !applied.contains(migration.version) {
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
