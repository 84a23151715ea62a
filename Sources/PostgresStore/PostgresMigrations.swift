import SQLStoreSupport

/// The schema, as numbered migrations. Each runs once, in order, in one transaction with the
/// bookkeeping row that records it; an advisory lock keeps two servers from migrating at once.
enum PostgresMigrations {
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
        Migration(
            version: 3, name: "API tokens; audit events about no state",
            sql: """
                CREATE TABLE api_tokens (
                    id            text PRIMARY KEY,
                    name          text NOT NULL,
                    owner         text NOT NULL,
                    grants        text NOT NULL,
                    secret_sha256 bytea NOT NULL UNIQUE,
                    created_at    timestamptz NOT NULL,
                    expires_at    timestamptz NOT NULL,
                    last_used_at  timestamptz,
                    revoked_at    timestamptz
                );
                -- One unrevoked token per owner and name.
                CREATE UNIQUE INDEX api_tokens_unrevoked_name ON api_tokens (owner, name) WHERE revoked_at IS NULL;

                ALTER TABLE audit_events ALTER COLUMN state DROP NOT NULL;
                """),
        Migration(
            version: 4, name: "web UI sessions",
            sql: """
                -- Never a secret, only its SHA-256; never grants: they are looked up on every use.
                CREATE TABLE web_sessions (
                    secret_sha256 bytea PRIMARY KEY,
                    holder_kind   text NOT NULL CHECK (holder_kind IN ('user', 'token')),
                    holder_key    text NOT NULL,
                    user_name     text NOT NULL,
                    created_at    timestamptz NOT NULL,
                    expires_at    timestamptz NOT NULL,
                    address       text
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
                ALTER TABLE api_tokens ADD COLUMN s3_access_key_id text;
                ALTER TABLE api_tokens ADD COLUMN s3_secret bytea;
                CREATE UNIQUE INDEX api_tokens_s3_access_key_id ON api_tokens (s3_access_key_id);
                """),
        Migration(
            version: 7, name: "S3 multipart uploads",
            sql: """
                -- Parts are kept here, not on a server's disk, so that any server behind a load balancer
                -- can take the next part or the completion. Retention removes uploads after 24 hours.
                CREATE TABLE s3_uploads (
                    id         text PRIMARY KEY,
                    name       text NOT NULL,
                    principal  text NOT NULL,
                    started_at timestamptz NOT NULL
                );
                CREATE INDEX s3_uploads_by_principal ON s3_uploads (principal);
                CREATE INDEX s3_uploads_by_start ON s3_uploads (started_at);
                CREATE TABLE s3_upload_parts (
                    upload_id text NOT NULL REFERENCES s3_uploads (id),
                    number    integer NOT NULL,
                    size      bigint NOT NULL,
                    md5       bytea NOT NULL,
                    content   bytea NOT NULL,
                    PRIMARY KEY (upload_id, number)
                );
                """),
    ]
}
