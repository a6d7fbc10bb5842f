/// One numbered change of the ledger's tables. Both stores have the same
/// numbers with the same names, each in its own SQL; a migration is never
/// edited once released, a change is a new one.
package struct SchemaMigration: Sendable {
    package let version: Int
    package let name: String
    package let sql: String

    package init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

extension SchemaMigration {
    /// Brings the database on `connection` to the last of `migrations` in one
    /// transaction (after `lock`, when several processes may migrate at
    /// once). A database from a newer release is refused rather than misread.
    package static func migrate<Connection: SQLConnection>(
        _ migrations: [SchemaMigration], on connection: Connection, lock: SQLStatement? = nil,
        newerSchema: (_ found: Int64, _ known: Int) -> any Error
    ) throws {
        let latest = migrations.last?.version ?? 0
        try connection.inTransaction {
            if let lock { _ = try connection.rows(lock, []) { _ in () } }
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    INTEGER PRIMARY KEY,
                    name       TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                )
                """)
            let current = try connection.scalarInt("SELECT coalesce(max(version), 0) FROM schema_migrations")
            guard current <= latest else { throw newerSchema(current, latest) }
            for migration in migrations where migration.version > current {
                try connection.execute(migration.sql)
                try connection.run("INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)",
                                   [.integer(Int64(migration.version)), .text(migration.name), .text(Timestamp.now())])
            }
        }
    }
}
