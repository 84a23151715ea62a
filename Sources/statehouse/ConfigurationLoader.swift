import Application
import Domain
import HTTPServer
import Logging
import PasswordAuth
import S3API
import SystemSupport
import TOMLKit
import WorkloadIdentity

/// Reads `config.toml` and applies `STATEHOUSE_<SECTION>_<KEY>` environment overrides.
///
/// Every key is checked: an unknown key, a value of the wrong type or out of range stops
/// startup with a ``ConfigurationError`` that names the key and its origin.
struct ConfigurationLoader {
    /// The environment variable that names the config file.
    static let configPathVariable = "STATEHOUSE_CONFIG"
    /// The prefix of the variables the CLI's API commands read (`STATEHOUSE_API_URL` …), which
    /// the server leaves alone so that both can share a shell.
    static let clientVariablePrefix = "STATEHOUSE_API_"

    private var values: [String: TOMLValueConvertible] = [:]
    private var consumed: Set<String> = []
    private var consumedVariables: Set<String> = []
    private let file: String?
    private let environment: [String: String]

    private init(file: String?, table: TOMLTable?, environment: [String: String]) {
        self.file = file
        self.environment = environment
        if let table {
            ConfigurationLoader.flatten(table, prefix: "", into: &self.values)
        }
    }

    /// Loads the configuration from `toml` (the contents of `file`, or `nil` for defaults only)
    /// and `environment`.
    static func load(
        file: String?, toml: String?, environment: [String: String]
    ) throws(ConfigurationError) -> StatehouseConfiguration {
        var table: TOMLTable? = nil
        if let toml {
            do {
                table = try TOMLTable(string: toml)
            } catch let error as TOMLParseError {
                throw ConfigurationError(
                    origin: file ?? "config", key: nil,
                    problem: "not valid TOML at line \(error.source.begin.line): \(error.description)")
            } catch {
                throw ConfigurationError(origin: file ?? "config", key: nil, problem: "not valid TOML: \(error)")
            }
        }
        var loader = ConfigurationLoader(file: file, table: table, environment: environment)
        let configuration = try loader.read()
        try loader.rejectUnknown()
        return configuration
    }

    private mutating func read() throws(ConfigurationError) -> StatehouseConfiguration {
        var configuration = StatehouseConfiguration()
        let defaults = configuration.server
        var server = defaults
        server.host = try self.string("server.host", default: defaults.host)
        server.port = try self.integer("server.port", default: defaults.port, in: 0...65535)
        server.maxConnections = try self.integer(
            "server.max_connections", default: defaults.maxConnections, in: 1...1_000_000)
        server.maxConnectionsPerAddress = try self.integer(
            "server.max_connections_per_address", default: defaults.maxConnectionsPerAddress, in: 0...1_000_000)
        server.limits.maxRequestLineBytes = try self.integer(
            "server.max_request_line_bytes", default: defaults.limits.maxRequestLineBytes, in: 64...1 << 20)
        server.limits.maxHeaderBytes = try self.integer(
            "server.max_header_bytes", default: defaults.limits.maxHeaderBytes, in: 256...1 << 24)
        server.limits.maxHeaderCount = try self.integer(
            "server.max_header_count", default: defaults.limits.maxHeaderCount, in: 1...10_000)
        server.limits.maxBodyBytes = try self.integer(
            "server.max_body_bytes", default: defaults.limits.maxBodyBytes, in: 0...1 << 40)
        // 0: a quarter of the memory the process may use.
        let budget = try self.integer("server.max_buffered_body_bytes", default: 0, in: 0...1 << 50)
        server.maxBufferedBodyBytes = budget == 0 ? defaults.maxBufferedBodyBytes : budget
        server.idleTimeout = try self.seconds("server.idle_timeout", default: defaults.idleTimeout)
        server.headerTimeout = try self.seconds("server.header_timeout", default: defaults.headerTimeout)
        server.readTimeout = try self.seconds("server.read_timeout", default: defaults.readTimeout)
        server.bodyTimeout = try self.seconds("server.body_timeout", default: defaults.bodyTimeout)
        server.minBodyRate = try self.integer("server.min_body_rate", default: defaults.minBodyRate, in: 1...1 << 30)
        server.writeTimeout = try self.seconds("server.write_timeout", default: defaults.writeTimeout)
        server.tls = try self.tls()
        configuration.server = server
        configuration.drainTimeout = try self.seconds("server.drain_timeout", default: configuration.drainTimeout)
        // 0: the number of processors.
        let heavy = try self.integer("server.max_heavy_requests", default: 0, in: 0...100_000)
        configuration.maxHeavyRequests = heavy == 0 ? configuration.maxHeavyRequests : heavy

        let level = try self.choice(
            "log.level", default: configuration.logLevel.rawValue, among: Logger.Level.allCases.map(\.rawValue))
        configuration.logLevel = Logger.Level(rawValue: level)!
        let format = try self.choice(
            "log.format", default: configuration.logFormat.rawValue,
            among: StatehouseConfiguration.LogFormat.allCases.map(\.rawValue))
        configuration.logFormat = StatehouseConfiguration.LogFormat(rawValue: format)!

        var storage = configuration.storage
        let driver = try self.choice(
            "storage.driver", default: storage.driver.rawValue,
            among: StatehouseConfiguration.Storage.Driver.allCases.map(\.rawValue))
        storage.driver = StatehouseConfiguration.Storage.Driver(rawValue: driver)!
        storage.path = try self.string("storage.path", default: storage.path)
        storage.url = try self.string("storage.url", default: storage.url)
        storage.poolSize = try self.integer("storage.pool_size", default: storage.poolSize, in: 1...1000)
        storage.checkoutTimeout = try self.seconds("storage.checkout_timeout", default: storage.checkoutTimeout)
        storage.statementTimeout = try self.seconds("storage.statement_timeout", default: storage.statementTimeout)
        storage.connectTimeout = try self.seconds("storage.connect_timeout", default: storage.connectTimeout)
        configuration.storage = storage

        configuration.allowLineageChange = try self.boolean(
            "state.allow_lineage_change", default: configuration.allowLineageChange)
        configuration.compressionLevel = Int32(
            try self.integer("state.compression_level", default: Int(configuration.compressionLevel), in: 1...9))
        configuration.cacheBytes = try self.integer(
            "state.cache_bytes", default: configuration.cacheBytes, in: 0...1 << 40)
        configuration.maxDiffBytes = try self.integer(
            "state.max_diff_bytes", default: configuration.maxDiffBytes, in: 1...1 << 40)
        configuration.users = try self.users()
        configuration.login.freeFailures = try self.integer(
            "login.free_failures", default: configuration.login.freeFailures, in: 0...1_000_000)
        configuration.login.maxDelay = try self.seconds("login.max_delay", default: configuration.login.maxDelay)
        configuration.login.forgetEvery = try self.seconds(
            "login.forget_every", default: configuration.login.forgetEvery)
        configuration.oidcIssuers = try self.oidcIssuers()
        configuration.protectedPrefixes = try self.protectedPrefixes(
            issuers: Set(configuration.oidcIssuers.map(\.issuer)))

        let versionDays = try self.integer("retention.version_days", default: 0, in: 0...100_000)
        let keepVersions = try self.integer(
            "retention.keep_versions", default: configuration.retention.keepVersions, in: 1...1_000_000)
        let deletedDays = try self.integer(
            "retention.deleted_state_days", default: configuration.retention.deletedStateDays ?? 0, in: 0...100_000)
        configuration.retention = RetentionPolicy(
            versionDays: versionDays == 0 ? nil : versionDays, keepVersions: keepVersions,
            deletedStateDays: deletedDays == 0 ? nil : deletedDays)
        configuration.retentionInterval = try self.seconds(
            "retention.interval", default: configuration.retentionInterval)
        configuration.tokens = try self.tokens()
        configuration.sessions.lifetime = try self.sessionLifetime(default: configuration.sessions.lifetime)
        configuration.uiEnabled = try self.boolean("ui.enabled", default: configuration.uiEnabled)
        configuration.staleLockAfter = try self.staleLockAfter(default: configuration.staleLockAfter)
        configuration.s3Enabled = try self.boolean("s3.enabled", default: configuration.s3Enabled)
        configuration.s3.pathPrefix = try self.s3PathPrefix(default: configuration.s3.pathPrefix)
        configuration.s3.maxSkewSeconds = try self.s3MaxSkew(default: configuration.s3.maxSkewSeconds)
        configuration.encryption = try self.encryption()
        configuration.metricsEnabled = try self.boolean("metrics.enabled", default: configuration.metricsEnabled)
        configuration.metricsRequireAuth = try self.boolean(
            "metrics.require_auth", default: configuration.metricsRequireAuth)
        return configuration
    }

    /// `encryption.keys` (a TOML array of `id:key` strings; `$STATEHOUSE_ENCRYPTION_KEYS` separates
    /// them with commas) or `encryption.key_file` (one `id:key` a line; blank lines and `#`
    /// comments skipped). Errors name the entry by position and id, never by its key.
    private mutating func encryption() throws(ConfigurationError) -> KeyRing {
        let listed = self.raw("encryption.keys")
        let file = try self.raw("encryption.key_file").map { (raw) throws(ConfigurationError) in
            (raw, try self.text("encryption.key_file", raw))
        }
        let entries: [String]
        let origin: (key: String, raw: Raw)
        switch (listed, file) {
        case (nil, nil):
            return .empty
        case (.some, .some((let raw, _))):
            throw self.error("encryption.key_file", raw, "set encryption.keys or encryption.key_file, not both")
        case (.some(let raw), nil):
            origin = ("encryption.keys", raw)
            switch raw {
            case .file(let toml):
                let strings = toml.array?.compactMap(\.string)
                guard let strings, strings.count == toml.array?.count else {
                    throw self.error("encryption.keys", raw, "expected an array of \"id:key\" strings")
                }
                entries = strings
            case .environment(_, let text):
                entries = text.split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
            }
        case (nil, .some((let raw, let path))):
            origin = ("encryption.key_file", raw)
            let bytes: [UInt8]
            do {
                bytes = try FileIO.readAll(path)
            } catch {
                throw self.error("encryption.key_file", raw, "cannot read \(path): \(error)")
            }
            entries = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        guard !entries.isEmpty else {
            throw self.error(origin.key, origin.raw, "names no key; remove it to store states unencrypted")
        }
        do {
            return try KeyRing(entries: entries)
        } catch {
            throw self.error(origin.key, origin.raw, error.description)
        }
    }

    /// `tokens.default_expires_in` and `tokens.max_expires_in`: spans such as `30d`.
    private mutating func tokens() throws(ConfigurationError) -> TokenPolicy {
        let standard = TokenPolicy.standard
        let maximum = try self.span("tokens.max_expires_in", default: standard.maxLifetime)
        let fallback = try self.span("tokens.default_expires_in", default: min(standard.defaultLifetime, maximum))
        guard fallback <= maximum else {
            throw ConfigurationError(
                origin: self.file ?? "config", key: "tokens.default_expires_in",
                problem: "must not be longer than tokens.max_expires_in")
        }
        return TokenPolicy(defaultLifetime: fallback, maxLifetime: maximum)
    }

    /// A span in microseconds, written `90s`, `15m`, `12h`, `30d` or as seconds; more than 0.
    private mutating func span(_ key: String, default value: Int64) throws(ConfigurationError) -> Int64 {
        guard let raw = self.raw(key) else { return value }
        let text = try self.text(key, raw)
        guard let span = try? Timestamp.parseDuration(text), span > 0 else {
            throw self.error(key, raw, "expected a span such as \"30d\", \"12h\" or \"90m\", got \"\(text)\"")
        }
        guard span <= 36_500 * 86_400_000_000 else { throw self.error(key, raw, "must be at most 36500d (100 years)") }
        return span
    }

    /// `ui.session_lifetime`: a span from 5 minutes to 30 days.
    private mutating func sessionLifetime(default value: Duration) throws(ConfigurationError) -> Duration {
        let key = "ui.session_lifetime"
        let span = try self.span(key, default: value.microseconds)
        if let raw = self.raw(key), !(5 * 60_000_000...30 * 86_400_000_000).contains(span) {
            throw self.error(key, raw, "must be between 5m and 30d")
        }
        return .microseconds(span)
    }

    /// `ui.stale_lock_after`: a span from 1 minute to 30 days.
    private mutating func staleLockAfter(default value: Duration) throws(ConfigurationError) -> Duration {
        let key = "ui.stale_lock_after"
        let span = try self.span(key, default: value.microseconds)
        if let raw = self.raw(key), !(60_000_000...30 * 86_400_000_000).contains(span) {
            throw self.error(key, raw, "must be between 1m and 30d")
        }
        return .microseconds(span)
    }

    /// `s3.path_prefix`: `/` and one or more segments of `a-z 0-9 - _`, not a path the server
    /// answers itself.
    private mutating func s3PathPrefix(default value: String) throws(ConfigurationError) -> String {
        let key = "s3.path_prefix"
        guard let raw = self.raw(key) else { return value }
        let prefix = try self.text(key, raw)
        let segments = prefix.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst()
        let valid =
            prefix.hasPrefix("/") && !segments.isEmpty
            && segments.allSatisfy { segment in
                !segment.isEmpty
                    && segment.allSatisfy { byte in
                        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                            || byte == UInt8(ascii: "_")
                    }
            }
        guard valid else {
            throw self.error(key, raw, "must be a path such as \"/s3\": '/' and segments of a-z, 0-9, '-', '_'")
        }
        let first = prefix.split(separator: "/").first.map(String.init) ?? ""
        guard !["ui", "api", "state", "lock", "unlock", "healthz", "readyz", "metrics"].contains(first) else {
            throw self.error(key, raw, "must not be under /\(first), which the server answers itself")
        }
        return prefix
    }

    /// `s3.max_skew`: a span from 1 minute to 1 hour.
    private mutating func s3MaxSkew(default value: Int64) throws(ConfigurationError) -> Int64 {
        let key = "s3.max_skew"
        let span = try self.span(key, default: value * 1_000_000)
        if let raw = self.raw(key), !(60_000_000...3_600_000_000).contains(span) {
            throw self.error(key, raw, "must be between 1m and 1h")
        }
        return span / 1_000_000
    }

    /// `server.tls_*`: TLS when a certificate is given.
    private mutating func tls() throws(ConfigurationError) -> TLSConfiguration? {
        let certificate = try self.string("server.tls_certificate", default: "")
        let key = try self.string("server.tls_key", default: "")
        let clientCA = try self.string("server.tls_client_ca", default: "")
        let mode = try self.choice(
            "server.tls_client_auth", default: TLSConfiguration.ClientAuthentication.none.rawValue,
            among: TLSConfiguration.ClientAuthentication.allCases.map(\.rawValue))
        let clientAuthentication = TLSConfiguration.ClientAuthentication(rawValue: mode)!
        let origin = self.file ?? "config"
        guard !certificate.isEmpty || !key.isEmpty else {
            if clientAuthentication != .none {
                throw ConfigurationError(
                    origin: origin, key: "server.tls_client_auth",
                    problem: "needs server.tls_certificate and server.tls_key")
            }
            return nil
        }
        guard !certificate.isEmpty, !key.isEmpty else {
            throw ConfigurationError(
                origin: origin, key: certificate.isEmpty ? "server.tls_certificate" : "server.tls_key",
                problem: "TLS needs both server.tls_certificate and server.tls_key")
        }
        if clientAuthentication != .none && clientCA.isEmpty {
            throw ConfigurationError(
                origin: origin, key: "server.tls_client_ca", problem: "needed when server.tls_client_auth is \(mode)")
        }
        return TLSConfiguration(
            certificateChainFile: certificate, privateKeyFile: key, clientCAFile: clientCA.isEmpty ? nil : clientCA,
            clientAuthentication: clientAuthentication)
    }

    /// The array of tables `[[key]]` from `STATEHOUSE_<KEY>` (a TOML array of inline tables,
    /// replacing the file's whole list) or the file, and where it came from; `nil` when neither
    /// has it.
    private mutating func tables(_ key: String, example: String) throws(ConfigurationError)
        -> (origin: String, array: TOMLArray)?
    {
        self.consumed.insert(key)
        let variable = ConfigurationLoader.variableName(for: key)
        self.consumedVariables.insert(variable)
        let origin: String
        let value: TOMLValueConvertible
        if let text = self.environment[variable] {
            origin = variable
            do {
                guard let parsed = try TOMLTable(string: "\(key) = \(text)")[key] else { return nil }
                value = parsed
            } catch {
                throw ConfigurationError(
                    origin: origin, key: nil, problem: "expected a TOML array of inline tables, such as \(example)")
            }
        } else {
            guard let fromFile = self.values[key] else { return nil }
            origin = self.file ?? "config"
            value = fromFile
        }
        guard let array = value.array else {
            throw ConfigurationError(origin: origin, key: key, problem: "expected [[\(key)]] tables")
        }
        return (origin, array)
    }

    /// `[[users]]` tables (or `$STATEHOUSE_USERS`): `name`, `password_hash` and/or
    /// `certificate_cn`, and `grants = { "prefix" = "read|write|admin" }`.
    private mutating func users() throws(ConfigurationError) -> [UserDirectory.User] {
        guard
            let (origin, array) = try self.tables(
                "users", example: #"[{ name = "ci", password_hash = "…", grants = { "*" = "write" } }]"#)
        else { return [] }
        var users: [UserDirectory.User] = []
        for (index, element) in array.enumerated() {
            let key = "users[\(index)]"
            guard let table = element.table else {
                throw ConfigurationError(origin: origin, key: key, problem: "expected a table")
            }
            var fields: [String: TOMLValueConvertible] = [:]
            for (field, value) in table { fields[field] = value }
            if let unknown = fields.keys.filter({ !["name", "password_hash", "certificate_cn", "grants"].contains($0) })
                .sorted().first
            {
                throw ConfigurationError(origin: origin, key: "\(key).\(unknown)", problem: "unknown key")
            }
            guard let name = fields["name"]?.string, !name.isEmpty, !name.contains(":" as Character) else {
                throw ConfigurationError(
                    origin: origin, key: "\(key).name", problem: "expected a non-empty name without ':'")
            }
            guard !users.contains(where: { $0.name == name }) else {
                throw ConfigurationError(origin: origin, key: "\(key).name", problem: "user \(name) is defined twice")
            }
            let hash = fields["password_hash"]?.string
            let commonName = fields["certificate_cn"]?.string
            if fields["password_hash"] != nil && hash == nil || hash == nil && commonName == nil {
                throw ConfigurationError(
                    origin: origin, key: "\(key).password_hash",
                    problem: "expected a string (make one with `statehouse hash-password`)")
            }
            if fields["certificate_cn"] != nil && (commonName ?? "").isEmpty {
                throw ConfigurationError(
                    origin: origin, key: "\(key).certificate_cn", problem: "expected a certificate common name")
            }
            let grants = try fields["grants"].map { (value) throws(ConfigurationError) in
                try ConfigurationLoader.grants(value, key: "\(key).grants", origin: origin)
            }
            users.append(
                UserDirectory.User(
                    name: name, passwordHash: hash, certificateCommonName: commonName, grants: grants ?? []))
        }
        return users
    }

    /// `[[protected_prefixes]]` tables (or `$STATEHOUSE_PROTECTED_PREFIXES`): `prefix`, and `allow`, an array of `{ principal = "name" }`
    /// and `{ issuer = "https://…", claims = { claim = "value or prefix*" } }` (empty: no one), each
    /// issuer one of `issuers`.
    private mutating func protectedPrefixes(issuers: Set<String>) throws(ConfigurationError) -> [ProtectedPrefix] {
        guard
            let (origin, array) = try self.tables(
                "protected_prefixes", example: #"[{ prefix = "acme/prod", allow = [{ principal = "release-bot" }] }]"#)
        else { return [] }
        var rules: [ProtectedPrefix] = []
        for (index, element) in array.enumerated() {
            let key = "protected_prefixes[\(index)]"
            guard let table = element.table else {
                throw ConfigurationError(origin: origin, key: key, problem: "expected a table")
            }
            if let unknown = table.keys.filter({ !["prefix", "allow"].contains($0) }).sorted().first {
                throw ConfigurationError(origin: origin, key: "\(key).\(unknown)", problem: "unknown key")
            }
            guard let prefix = table["prefix"]?.string, Self.isGrantPrefix(prefix) else {
                throw ConfigurationError(
                    origin: origin, key: "\(key).prefix",
                    problem: "expected \"*\" or a state name prefix such as \"acme/prod\"")
            }
            guard let allow = table["allow"]?.array else {
                throw ConfigurationError(
                    origin: origin, key: "\(key).allow",
                    problem:
                        #"expected an array such as [{ principal = "release-bot" }, { issuer = "https://…", claims = { ref = "refs/heads/main" } }] ([] for no one)"#
                )
            }
            var patterns: [ProtectedPrefix.Pattern] = []
            for (position, entry) in allow.enumerated() {
                patterns.append(
                    try Self.pattern(entry, key: "\(key).allow[\(position)]", origin: origin, issuers: issuers))
            }
            rules.append(ProtectedPrefix(prefix: prefix, allowed: patterns))
        }
        return rules
    }

    /// One `allow` entry of a protected prefix.
    private static func pattern(
        _ value: TOMLValueConvertible, key: String, origin: String, issuers: Set<String>
    ) throws(ConfigurationError)
        -> ProtectedPrefix.Pattern
    {
        guard let table = value.table else {
            throw ConfigurationError(origin: origin, key: key, problem: "expected an inline table")
        }
        if let unknown = table.keys.filter({ !["principal", "issuer", "claims"].contains($0) }).sorted().first {
            throw ConfigurationError(origin: origin, key: "\(key).\(unknown)", problem: "unknown key")
        }
        switch (table["principal"], table["issuer"]) {
        case (let principal?, nil):
            guard let name = principal.string, !name.isEmpty, table["claims"] == nil else {
                throw ConfigurationError(
                    origin: origin, key: "\(key).principal",
                    problem: "expected a user name or token:<owner>/<name>, without claims")
            }
            return .principal(name)
        case (nil, let issuer?):
            guard let issuer = issuer.string, issuer.hasPrefix("https://") || issuer.hasPrefix("http://") else {
                throw ConfigurationError(origin: origin, key: "\(key).issuer", problem: "expected an issuer URL")
            }
            guard issuers.contains(issuer) else {
                throw ConfigurationError(
                    origin: origin, key: "\(key).issuer",
                    problem:
                        "\(issuer) is not the issuer of any [[oidc_issuers]] table, so none of its tokens can log in")
            }
            var claims: [String: ClaimPattern] = [:]
            if let claimsValue = table["claims"] {
                guard let claimsTable = claimsValue.table else {
                    throw ConfigurationError(
                        origin: origin, key: "\(key).claims",
                        problem: #"expected a table such as { ref = "refs/heads/main" }"#)
                }
                for (claim, pattern) in claimsTable {
                    guard let text = pattern.string, !text.isEmpty, !text.dropLast().contains("*") else {
                        throw ConfigurationError(
                            origin: origin, key: "\(key).claims.\(claim)",
                            problem: "expected a string, matched exactly or, with a trailing *, as a prefix")
                    }
                    claims[claim] = ClaimPattern(text)
                }
            }
            return .workload(issuer: issuer, claims: claims)
        default:
            throw ConfigurationError(
                origin: origin, key: key, problem: "expected either principal = \"…\" or issuer = \"…\" (with claims)")
        }
    }

    /// Whether `prefix` is `*` or a state name prefix, as grants take them.
    private static func isGrantPrefix(_ prefix: String) -> Bool {
        (try? Grant.validate(prefix: prefix)) != nil
    }

    /// A grants table at `key`: `{ "prefix" = "read|write|admin" }`.
    private static func grants(_ value: TOMLValueConvertible, key: String, origin: String)
        throws(ConfigurationError) -> [Grant]
    {
        guard let grantTable = value.table else {
            throw ConfigurationError(origin: origin, key: key, problem: "expected a table such as { \"*\" = \"read\" }")
        }
        var grants: [Grant] = []
        for (prefix, level) in grantTable {
            let grantKey = "\(key).\"\(prefix)\""
            guard let access = Access(level: level.string) else {
                throw ConfigurationError(origin: origin, key: grantKey, problem: "must be read, write or admin")
            }
            do {
                try Grant.validate(prefix: prefix)
            } catch {
                throw ConfigurationError(
                    origin: origin, key: grantKey, problem: "not \"*\" or a state name prefix: \(error)")
            }
            grants.append(Grant(prefix: prefix, access: access))
        }
        return grants
    }

    /// `[[oidc_issuers]]` tables (or `$STATEHOUSE_OIDC_ISSUERS`): `issuer`, `audience`, optional `jwks_file` and `ca_file`, and
    /// `rules = [{ claims = { name = "value" or "prefix*" }, grants = { "prefix" = "level" } }]`.
    private mutating func oidcIssuers() throws(ConfigurationError) -> [OIDCIssuer] {
        guard
            let (origin, array) = try self.tables(
                "oidc_issuers",
                example:
                    #"[{ issuer = "https://…", audience = "statehouse", rules = [{ claims = { … }, grants = { … } }] }]"#
            )
        else { return [] }
        var issuers: [OIDCIssuer] = []
        for (index, element) in array.enumerated() {
            let key = "oidc_issuers[\(index)]"
            let fields = try ConfigurationLoader.fields(
                element, key: key, origin: origin, allowed: ["issuer", "audience", "jwks_file", "ca_file", "rules"])
            guard let issuer = fields["issuer"]?.string, issuer.hasPrefix("https://"), issuer.count > 8 else {
                throw ConfigurationError(
                    origin: origin, key: "\(key).issuer",
                    problem: "expected the issuer's https:// URL, exactly as its tokens' iss claim has it")
            }
            guard !issuers.contains(where: { $0.issuer == issuer }) else {
                throw ConfigurationError(
                    origin: origin, key: "\(key).issuer", problem: "issuer \(issuer) is defined twice")
            }
            guard let audience = fields["audience"]?.string, !audience.isEmpty else {
                throw ConfigurationError(
                    origin: origin, key: "\(key).audience",
                    problem: "expected the audience the jobs request their tokens for, such as \"statehouse\"")
            }
            var files: [String: String] = [:]
            for name in ["jwks_file", "ca_file"] {
                guard let field = fields[name] else { continue }
                guard let path = field.string else {
                    throw ConfigurationError(origin: origin, key: "\(key).\(name)", problem: "expected a file path")
                }
                if !path.isEmpty { files[name] = path }
            }
            guard let ruleArray = fields["rules"]?.array, !ruleArray.isEmpty else {
                throw ConfigurationError(
                    origin: origin, key: "\(key).rules",
                    problem:
                        "expected rules = [{ claims = { … }, grants = { … } }]: without rules no token may do anything")
            }
            var rules: [WorkloadRule] = []
            for (ruleIndex, ruleValue) in ruleArray.enumerated() {
                rules.append(try ConfigurationLoader.rule(ruleValue, key: "\(key).rules[\(ruleIndex)]", origin: origin))
            }
            let configured = OIDCIssuer(
                issuer: issuer, audience: audience, jwksFile: files["jwks_file"], caFile: files["ca_file"], rules: rules
            )
            if let other = issuers.first(where: { $0.host == configured.host }) {
                throw ConfigurationError(
                    origin: origin, key: "\(key).issuer",
                    problem:
                        "\(issuer) has the host of \(other.issuer): their principals (oidc:\(configured.host):<sub>) "
                        + "could not be told apart")
            }
            issuers.append(configured)
        }
        return issuers
    }

    /// One rule of an OIDC issuer: `{ claims = { … }, grants = { … } }`.
    private static func rule(_ value: TOMLValueConvertible, key: String, origin: String)
        throws(ConfigurationError) -> WorkloadRule
    {
        let fields = try ConfigurationLoader.fields(value, key: key, origin: origin, allowed: ["claims", "grants"])
        guard let claimTable = fields["claims"]?.table else {
            throw ConfigurationError(
                origin: origin, key: "\(key).claims",
                problem: "expected a table of claims to match, such as { repository = \"acme/infra\" }")
        }
        var claims: [String: ClaimPattern] = [:]
        for (name, pattern) in claimTable {
            guard let text = pattern.string, !text.isEmpty, !text.dropLast().contains("*") else {
                throw ConfigurationError(
                    origin: origin, key: "\(key).claims.\(name)",
                    problem: "expected a string: the claim's value, or a prefix followed by * (numbers as text: \"42\")"
                )
            }
            claims[name] = ClaimPattern(text)
        }
        guard claims.values.contains(where: { $0.text != "*" }) else {
            throw ConfigurationError(
                origin: origin, key: "\(key).claims",
                problem: "a rule must match at least one claim value: without one it gives its grants to every token "
                    + "with this audience, and anyone can get such a token from a public issuer (any GitHub repository can)"
            )
        }
        guard let grantsValue = fields["grants"] else {
            throw ConfigurationError(
                origin: origin, key: "\(key).grants", problem: "expected the grants of matching tokens")
        }
        return WorkloadRule(
            claims: claims, grants: try ConfigurationLoader.grants(grantsValue, key: "\(key).grants", origin: origin))
    }

    /// The members of the table `value`, refusing any key not in `allowed`.
    private static func fields(_ value: TOMLValueConvertible, key: String, origin: String, allowed: Set<String>)
        throws(ConfigurationError) -> [String: TOMLValueConvertible]
    {
        guard let table = value.table else {
            throw ConfigurationError(origin: origin, key: key, problem: "expected a table")
        }
        var fields: [String: TOMLValueConvertible] = [:]
        for (field, value) in table { fields[field] = value }
        if let unknown = fields.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw ConfigurationError(origin: origin, key: "\(key).\(unknown)", problem: "unknown key")
        }
        return fields
    }

    // MARK: - Typed reads

    private enum Raw {
        case file(TOMLValueConvertible)
        case environment(variable: String, value: String)
    }

    /// The value for `key`: the environment variable wins over the file.
    private mutating func raw(_ key: String) -> Raw? {
        self.consumed.insert(key)
        let variable = ConfigurationLoader.variableName(for: key)
        self.consumedVariables.insert(variable)
        if let value = self.environment[variable] {
            return .environment(variable: variable, value: value)
        }
        return self.values[key].map(Raw.file)
    }

    private func error(_ key: String, _ raw: Raw, _ problem: String) -> ConfigurationError {
        switch raw {
        case .file: ConfigurationError(origin: self.file ?? "config", key: key, problem: problem)
        case .environment(let variable, _): ConfigurationError(origin: variable, key: key, problem: problem)
        }
    }

    private mutating func integer(_ key: String, default value: Int, in range: ClosedRange<Int>)
        throws(ConfigurationError)
        -> Int
    {
        guard let raw = self.raw(key) else { return value }
        let parsed: Int?
        switch raw {
        case .file(let toml):
            guard toml.type == .int else {
                throw self.error(key, raw, "expected an integer, got a \(toml.type)")
            }
            parsed = toml.int
        case .environment(_, let text):
            parsed = Int(text)
            if parsed == nil { throw self.error(key, raw, "expected an integer, got \"\(text)\"") }
        }
        guard let parsed, range.contains(parsed) else {
            throw self.error(key, raw, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return parsed
    }

    private mutating func seconds(_ key: String, default value: Duration) throws(ConfigurationError) -> Duration {
        guard let raw = self.raw(key) else { return value }
        let parsed: Double?
        switch raw {
        case .file(let toml):
            guard toml.type == .int || toml.type == .double else {
                throw self.error(key, raw, "expected a number of seconds, got a \(toml.type)")
            }
            parsed = toml.double ?? toml.int.map(Double.init)
        case .environment(_, let text):
            parsed = Double(text)
        }
        guard let parsed, parsed > 0, parsed <= 86_400 * 365 else {
            throw self.error(key, raw, "expected a number of seconds greater than 0")
        }
        return .milliseconds(Int64((parsed * 1000).rounded()))
    }

    private mutating func boolean(_ key: String, default value: Bool) throws(ConfigurationError) -> Bool {
        guard let raw = self.raw(key) else { return value }
        switch raw {
        case .file(let toml):
            guard let parsed = toml.bool else {
                throw self.error(key, raw, "expected true or false, got a \(toml.type)")
            }
            return parsed
        case .environment(_, let text):
            switch text.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw self.error(key, raw, "expected true or false, got \"\(text)\"")
            }
        }
    }

    private mutating func string(_ key: String, default value: String) throws(ConfigurationError) -> String {
        guard let raw = self.raw(key) else { return value }
        return try self.text(key, raw)
    }

    private mutating func choice(_ key: String, default value: String, among allowed: [String])
        throws(ConfigurationError) -> String
    {
        guard let raw = self.raw(key) else { return value }
        let text = try self.text(key, raw)
        guard allowed.contains(text) else {
            throw self.error(key, raw, "must be one of \(allowed.joined(separator: ", ")), got \"\(text)\"")
        }
        return text
    }

    private func text(_ key: String, _ raw: Raw) throws(ConfigurationError) -> String {
        switch raw {
        case .file(let toml):
            guard let text = toml.string else {
                throw self.error(key, raw, "expected a string, got a \(toml.type)")
            }
            return text
        case .environment(_, let text):
            return text
        }
    }

    // MARK: - Unknown keys

    private func rejectUnknown() throws(ConfigurationError) {
        if let unknown = self.values.keys.filter({ !self.consumed.contains($0) }).sorted().first {
            throw ConfigurationError(origin: self.file ?? "config", key: unknown, problem: "unknown key")
        }
        let unknownVariable = self.environment.keys.filter {
            $0.hasPrefix("STATEHOUSE_") && $0 != ConfigurationLoader.configPathVariable
                && !$0.hasPrefix(ConfigurationLoader.clientVariablePrefix) && !self.consumedVariables.contains($0)
        }.sorted().first
        if let unknownVariable {
            throw ConfigurationError(
                origin: unknownVariable, key: nil, problem: "unknown setting (see README, Configuration)")
        }
    }

    /// `server.max_body_bytes` → `STATEHOUSE_SERVER_MAX_BODY_BYTES`.
    static func variableName(for key: String) -> String {
        "STATEHOUSE_" + key.uppercased().replacingOccurrences(".", with: "_")
    }

    private static func flatten(_ table: TOMLTable, prefix: String, into values: inout [String: TOMLValueConvertible]) {
        for (key, value) in table {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            if let nested = value.table {
                self.flatten(nested, prefix: path, into: &values)
            } else {
                values[path] = value
            }
        }
    }
}

/// A configuration problem, naming where it came from and which key.
struct ConfigurationError: Error, CustomStringConvertible {
    /// The file path or environment variable.
    let origin: String
    /// The dotted key, such as `server.port`.
    let key: String?
    /// What is wrong.
    let problem: String

    /// `config.toml: server.port: must be between 0 and 65535`.
    var description: String {
        if let key { return "\(self.origin): \(key): \(self.problem)" }
        return "\(self.origin): \(self.problem)"
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line ends.
    fileprivate func trimmingWhitespace() -> String {
        guard let first = self.firstIndex(where: { !$0.isWhitespace }),
            let last = self.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }

    fileprivate func replacingOccurrences(_ target: Character, with replacement: String) -> String {
        self.split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
