import Application
import Domain
import HTTPServer
import Logging
import PasswordAuth
import S3API
import WorkloadIdentity

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything `statehouse` is configured with, after `config.toml` and the environment.
struct StatehouseConfiguration: Sendable {
    /// The log line format.
    enum LogFormat: String, Sendable, CaseIterable {
        /// `2026-11-22T10:00:00.123Z info request … key=value` lines.
        case text
        /// One JSON object per line.
        case json
    }

    /// Where states are kept.
    struct Storage: Sendable {
        /// The store adapter.
        enum Driver: String, Sendable, CaseIterable {
            /// An embedded SQLite file: nothing to install; one Statehouse process.
            case sqlite
            /// PostgreSQL through libpq: several Statehouse processes can share it.
            case postgres
            /// Process memory: for trying things out; everything is lost on exit.
            case memory
        }

        var driver: Driver = .sqlite
        /// The SQLite file (relative paths start at the working directory).
        var path = "data/statehouse.db"
        /// A libpq URL or keyword string.
        var url = "postgresql://statehouse@localhost:5432/statehouse"
        /// PostgreSQL connections, or SQLite reader connections, at most.
        var poolSize = 10
        /// How long a request waits for a connection (SQLite: for the writer); then 503.
        var checkoutTimeout: Duration = .seconds(5)
        var statementTimeout: Duration = .seconds(30)
        /// How long startup keeps retrying an unreachable database before giving up.
        var connectTimeout: Duration = .seconds(30)
    }

    /// Listening and limits.
    var server = HTTPServerConfiguration()
    /// How long in-flight requests may run after SIGTERM or SIGINT.
    var drainTimeout: Duration = .seconds(10)
    /// Diffs, rollbacks and large uncompressed downloads served at once; past it 503.
    var maxHeavyRequests = StatehouseConfiguration.processorCount
    /// The lowest level logged.
    var logLevel: Logger.Level = .info
    /// How log lines look.
    var logFormat: LogFormat = .text
    /// The store.
    var storage = Storage()
    /// Whether a write may switch a state to another lineage.
    var allowLineageChange = false
    /// zlib level for stored blobs (1 fastest … 9 smallest).
    var compressionLevel: Int32 = 1
    /// Bytes of recently served state bodies kept in memory (0 disables).
    var cacheBytes = 32 << 20
    /// The largest version, uncompressed, that a diff compares.
    var maxDiffBytes = 64 << 20
    /// Who may log in, and what they may do.
    var users: [UserDirectory.User] = []
    /// When failed logins hold back their address or user name.
    var login = LoginThrottle.Policy()
    /// Prefixes under which only some principals may change or lock states.
    var protectedPrefixes: [ProtectedPrefix] = []
    /// The OIDC issuers whose ID tokens log workloads in.
    var oidcIssuers: [OIDCIssuer] = []
    /// How long history is kept.
    var retention = RetentionPolicy(versionDays: nil, keepVersions: 20, deletedStateDays: nil)
    /// How often the retention sweep runs.
    var retentionInterval: Duration = .seconds(3600)
    /// How long API tokens live by default and at most.
    var tokens = TokenPolicy.standard
    /// `[ui]`: how long web UI sessions live.
    var sessions = SessionPolicy.standard
    /// `ui.enabled`: whether the web UI answers under `/ui/`.
    var uiEnabled = true
    /// `ui.stale_lock_after`: how long a lock is held before the web UI calls it stale.
    var staleLockAfter: Duration = .seconds(3600)
    /// `s3.enabled`: whether the S3-compatible endpoint answers.
    var s3Enabled = true
    /// `[s3]`: where the S3-compatible endpoint lives and how much clock skew it allows.
    var s3 = S3API.Settings()
    /// `[encryption]`: the keys that seal stored versions (empty: stored unencrypted).
    var encryption = KeyRing.empty
    /// Whether `GET /metrics` is served.
    var metricsEnabled = true
    /// Whether `GET /metrics` needs an authenticated user (any user, any grant).
    var metricsRequireAuth = false

    /// The processors online: how many heavy requests run at once by default.
    static var processorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The password hash of the user that config.toml ships with (admin / statehouse). The
    /// server refuses to listen beyond loopback while a user has it.
    /// The encryption key .env.example ships: public, so the server warns while it is in the ring.
    static let exampleEncryptionKey = "example:xL1yY9TJwfEL56H63558sP/uh4IrL5uM3ZZOjgObEoA="

    static let shippedPasswordHash =
        "$pbkdf2-sha256$i=600000$isI9BumaiRx642BlspAE4w$joXBhmjKWm85h9vCqjPjGWISA2ZnwRxMQfi1UEX4CHw"
}
