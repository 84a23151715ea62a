import SQLStoreSupport

/// The schema, as numbered migrations, each applied once in one transaction with its
/// bookkeeping row. The same model as PostgreSQL's; times are microseconds since 1970.
enum SQLiteMigrations {
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
                """),
        Migration(
            version: 2, name: "version metadata, purges, rollbacks, audit log",
            sql: """
                -- Rebuilt rather than altered so that content stays the last column.
                CREATE TABLE state_versions_v2 (
                    state_id          INTEGER NOT NULL REFERENCES states (id),
                    number            INTEGER NOT NULL,
                    serial            INTEGER NOT NULL,
                    lineage           TEXT NOT NULL,
                    size              INTEGER NOT NULL,
                    sha256            BLOB NOT NULL,
                    md5               BLOB NOT NULL,
                    created_at        INTEGER NOT NULL,
                    created_by        TEXT NOT NULL,
                    lock_id           TEXT,
                    terraform_version TEXT,
                    resource_count    INTEGER,
                    output_names      TEXT NOT NULL DEFAULT '[]',
                    encrypted         INTEGER NOT NULL DEFAULT 0,
                    rollback_of       INTEGER,
                    purged_at         INTEGER,
                    purged_by         TEXT,
                    purge_reason      TEXT,
                    content           BLOB,
                    PRIMARY KEY (state_id, number),
                    CHECK ((purged_at IS NULL) = (content IS NOT NULL))
                );
                INSERT INTO state_versions_v2
                    (state_id, number, serial, lineage, size, sha256, md5, created_at, created_by, lock_id, content)
                SELECT state_id, number, serial, lineage, size, sha256, md5, created_at, created_by, lock_id, content
                FROM state_versions;
                DROP TABLE state_versions;
                ALTER TABLE state_versions_v2 RENAME TO state_versions;

                CREATE INDEX states_by_name ON states (name, id);
                CREATE INDEX states_locked ON states (locked_at) WHERE lock_id IS NOT NULL;

                CREATE TABLE audit_events (
                    id         INTEGER PRIMARY KEY,
                    at         INTEGER NOT NULL,
                    action     TEXT NOT NULL,
                    state      TEXT NOT NULL,
                    version    INTEGER,
                    user_name  TEXT NOT NULL,
                    address    TEXT,
                    request_id TEXT,
                    lock_id    TEXT,
                    reason     TEXT,
                    detail     TEXT
                );
                CREATE INDEX audit_events_by_state ON audit_events (state, id);
                CREATE INDEX audit_events_by_time ON audit_events (at);
                """),
        Migration(
            version: 3, name: "API tokens; audit events about no state",
            sql: """
                CREATE TABLE api_tokens (
                    id            TEXT PRIMARY KEY,
                    name          TEXT NOT NULL,
                    owner         TEXT NOT NULL,
                    grants        TEXT NOT NULL,
                    secret_sha256 BLOB NOT NULL UNIQUE,
                    created_at    INTEGER NOT NULL,
                    expires_at    INTEGER NOT NULL,
                    last_used_at  INTEGER,
                    revoked_at    INTEGER
                );
                -- One unrevoked token per owner and name.
                CREATE UNIQUE INDEX api_tokens_unrevoked_name ON api_tokens (owner, name) WHERE revoked_at IS NULL;

                -- SQLite cannot drop a NOT NULL: the audit log is rebuilt with a nullable state.
                CREATE TABLE audit_events_v3 (
                    id         INTEGER PRIMARY KEY,
                    at         INTEGER NOT NULL,
                    action     TEXT NOT NULL,
                    state      TEXT,
                    version    INTEGER,
                    user_name  TEXT NOT NULL,
                    address    TEXT,
                    request_id TEXT,
                    lock_id    TEXT,
                    reason     TEXT,
                    detail     TEXT
                );
                INSERT INTO audit_events_v3 SELECT * FROM audit_events;
                DROP TABLE audit_events;
                ALTER TABLE audit_events_v3 RENAME TO audit_events;
                CREATE INDEX audit_events_by_state ON audit_events (state, id);
                CREATE INDEX audit_events_by_time ON audit_events (at);
                """),
        Migration(
            version: 4, name: "web UI sessions",
            sql: """
                -- Never a secret, only its SHA-256; never grants: they are looked up on every use.
                CREATE TABLE web_sessions (
                    secret_sha256 BLOB PRIMARY KEY,
                    holder_kind   TEXT NOT NULL CHECK (holder_kind IN ('user', 'token')),
                    holder_key    TEXT NOT NULL,
                    user_name     TEXT NOT NULL,
                    created_at    INTEGER NOT NULL,
                    expires_at    INTEGER NOT NULL,
                    address       TEXT
                );
                CREATE INDEX web_sessions_by_holder ON web_sessions (holder_kind, holder_key, created_at);
                CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
                """),
        Migration(
            version: 5, name: "audit filters by user and action",
            sql: """
                -- The audit page and GET /api/v1/audit?user=&action= in either order, without a table scan.
                CREATE INDEX audit_events_by_user ON audit_events (user_name, id);
                CREATE INDEX audit_events_by_action ON audit_events (action, id);
                """),
        Migration(
            version: 6, name: "S3 keys",
            sql: """
                -- An S3 key is a token with an access key id and its secret, sealed with the key ring
                -- when one is configured (signatures are checked with the secret itself).
                ALTER TABLE api_tokens ADD COLUMN s3_access_key_id TEXT;
                ALTER TABLE api_tokens ADD COLUMN s3_secret BLOB;
                CREATE UNIQUE INDEX api_tokens_s3_access_key_id ON api_tokens (s3_access_key_id);
                """),
        Migration(
            version: 7, name: "S3 multipart uploads",
            sql: """
                -- Parts are kept here, not on a server's disk, so that any server behind a load balancer
                -- can take the next part or the completion. Retention removes uploads after 24 hours.
                CREATE TABLE s3_uploads (
                    id         TEXT PRIMARY KEY,
                    name       TEXT NOT NULL,
                    principal  TEXT NOT NULL,
                    started_at INTEGER NOT NULL
                );
                CREATE INDEX s3_uploads_by_principal ON s3_uploads (principal);
                CREATE INDEX s3_uploads_by_start ON s3_uploads (started_at);
                CREATE TABLE s3_upload_parts (
                    upload_id TEXT NOT NULL REFERENCES s3_uploads (id),
                    number    INTEGER NOT NULL,
                    size      INTEGER NOT NULL,
                    md5       BLOB NOT NULL,
                    content   BLOB NOT NULL,
                    PRIMARY KEY (upload_id, number)
                );
                """),
    ]
}
