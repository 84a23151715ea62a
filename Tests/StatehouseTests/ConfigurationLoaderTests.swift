import Application
import Domain
import HTTPServer
import Testing

@testable import statehouse

@Suite struct ConfigurationLoaderTests {
    func load(_ toml: String?, _ environment: [String: String] = [:]) throws -> StatehouseConfiguration {
        try ConfigurationLoader.load(file: toml == nil ? nil : "config.toml", toml: toml, environment: environment)
    }

    func failure(_ toml: String?, _ environment: [String: String] = [:]) -> String? {
        do {
            _ = try self.load(toml, environment)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func defaultsWithoutAFile() throws {
        let configuration = try self.load(nil)
        #expect(configuration.server.host == "localhost")
        #expect(configuration.server.port == 8080)
        #expect(configuration.server.limits.maxBodyBytes == 64 << 20)
        #expect(configuration.server.maxBufferedBodyBytes == HTTPServerConfiguration.defaultBodyBudget())
        #expect(configuration.logFormat == .text)
        #expect(configuration.logLevel == .info)
        #expect(configuration.storage.driver == .sqlite)
        #expect(configuration.storage.path == "data/statehouse.db")
    }

    @Test func theShippedConfigFileLoadsAndMatchesTheDefaults() throws {
        let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let shipped = try self.load(try readFile("/" + path + "/config.toml"))
        let defaults = try self.load(nil)
        #expect(shipped.server.host == defaults.server.host)
        #expect(shipped.server.port == defaults.server.port)
        #expect(shipped.server.limits == defaults.server.limits)
        #expect(shipped.server.idleTimeout == defaults.server.idleTimeout)
        #expect(shipped.server.headerTimeout == defaults.server.headerTimeout)
        #expect(shipped.server.readTimeout == defaults.server.readTimeout)
        #expect(shipped.server.minBodyRate == defaults.server.minBodyRate)
        #expect(shipped.server.writeTimeout == defaults.server.writeTimeout)
        #expect(shipped.server.maxConnections == defaults.server.maxConnections)
        #expect(shipped.drainTimeout == defaults.drainTimeout)
        #expect(shipped.maxHeavyRequests == defaults.maxHeavyRequests)
        #expect(shipped.maxDiffBytes == defaults.maxDiffBytes)
        #expect(shipped.storage.driver == defaults.storage.driver)
        #expect(shipped.storage.url == defaults.storage.url)
        #expect(shipped.storage.path == defaults.storage.path)
        #expect(shipped.allowLineageChange == defaults.allowLineageChange)
        #expect(shipped.compressionLevel == defaults.compressionLevel)
        #expect(shipped.users.map(\.name) == ["admin"])
        #expect(shipped.retention == defaults.retention)
        #expect(shipped.retentionInterval == defaults.retentionInterval)
        #expect(shipped.tokens == defaults.tokens)
    }

    @Test func readsTokenLifetimes() throws {
        #expect(try self.load(nil).tokens == .standard)
        let day: Int64 = 86_400_000_000
        let configured = try self.load(
            """
            [tokens]
            default_expires_in = "7d"
            max_expires_in = "90d"
            """)
        #expect(configured.tokens == TokenPolicy(defaultLifetime: 7 * day, maxLifetime: 90 * day))
        let overridden = try self.load(nil, ["STATEHOUSE_TOKENS_MAX_EXPIRES_IN": "12h"])
        #expect(overridden.tokens == TokenPolicy(defaultLifetime: 12 * 3_600_000_000, maxLifetime: 12 * 3_600_000_000))
        #expect(
            self.failure("[tokens]\ndefault_expires_in = \"60d\"\nmax_expires_in = \"30d\"")
                == "config.toml: tokens.default_expires_in: must not be longer than tokens.max_expires_in")
        #expect(
            self.failure("[tokens]\nmax_expires_in = \"36501d\"")
                == "config.toml: tokens.max_expires_in: must be at most 36500d (100 years)")
        #expect(
            self.failure("[tokens]\nmax_expires_in = \"forever\"")
                == #"config.toml: tokens.max_expires_in: expected a span such as "30d", "12h" or "90m", got "forever""#)
        #expect(self.failure("[tokens]\nmax_expires_in = 30") != nil)
    }

    @Test func readsEveryKey() throws {
        let configuration = try self.load(
            """
            [server]
            host = "*"
            port = 9000
            max_connections = 10
            max_request_line_bytes = 1000
            max_header_bytes = 2000
            max_header_count = 7
            max_body_bytes = 1234
            max_buffered_body_bytes = 5678
            idle_timeout = 1.5
            header_timeout = 2
            read_timeout = 3
            min_body_rate = 999
            write_timeout = 4
            drain_timeout = 5
            max_heavy_requests = 3
            [log]
            level = "debug"
            format = "json"
            """)
        #expect(configuration.server.host == "*")
        #expect(configuration.server.port == 9000)
        #expect(configuration.server.maxConnections == 10)
        #expect(
            configuration.server.limits
                == .init(maxRequestLineBytes: 1000, maxHeaderBytes: 2000, maxHeaderCount: 7, maxBodyBytes: 1234))
        #expect(configuration.server.maxBufferedBodyBytes == 5678)
        #expect(configuration.server.idleTimeout == .milliseconds(1500))
        #expect(configuration.server.headerTimeout == .seconds(2))
        #expect(configuration.server.readTimeout == .seconds(3))
        #expect(configuration.server.minBodyRate == 999)
        #expect(configuration.server.writeTimeout == .seconds(4))
        #expect(configuration.drainTimeout == .seconds(5))
        #expect(configuration.maxHeavyRequests == 3)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.logFormat == .json)
    }

    @Test func readsStorageStateAndUsers() throws {
        let configuration = try self.load(
            """
            [storage]
            driver = "memory"
            path = "/var/lib/statehouse/states.db"
            url = "postgresql://u:secret@db/x"
            pool_size = 3
            checkout_timeout = 1.5
            statement_timeout = 7
            connect_timeout = 9
            [state]
            allow_lineage_change = true
            compression_level = 6
            max_diff_bytes = 1000
            [[users]]
            name = "alice"
            password_hash = "$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
            grants = { "team/app" = "write", "*" = "read" }
            [[users]]
            name = "bob"
            password_hash = "$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
            """)
        #expect(configuration.storage.driver == .memory)
        #expect(configuration.storage.path == "/var/lib/statehouse/states.db")
        #expect(configuration.storage.url == "postgresql://u:secret@db/x")
        #expect(configuration.storage.poolSize == 3)
        #expect(configuration.storage.checkoutTimeout == .milliseconds(1500))
        #expect(configuration.storage.statementTimeout == .seconds(7))
        #expect(configuration.storage.connectTimeout == .seconds(9))
        #expect(configuration.allowLineageChange)
        #expect(configuration.compressionLevel == 6)
        #expect(configuration.maxDiffBytes == 1000)
        #expect(configuration.users.map(\.name) == ["alice", "bob"])
        #expect(Set(configuration.users[0].grants.map { "\($0.prefix)=\($0.access)" }) == ["team/app=write", "*=read"])
        #expect(configuration.users[1].grants.isEmpty)
    }

    @Test func heavyRequestsDefaultToTheProcessorsAndDiffsToTheLargestBody() throws {
        let defaults = try self.load(nil)
        #expect(defaults.maxHeavyRequests == StatehouseConfiguration.processorCount)
        #expect(try self.load("[server]\nmax_heavy_requests = 0\n").maxHeavyRequests == defaults.maxHeavyRequests)
        #expect(defaults.maxDiffBytes == defaults.server.limits.maxBodyBytes)
        let overridden = try self.load(
            nil, ["STATEHOUSE_SERVER_MAX_HEAVY_REQUESTS": "7", "STATEHOUSE_STATE_MAX_DIFF_BYTES": "4096"])
        #expect(overridden.maxHeavyRequests == 7)
        #expect(overridden.maxDiffBytes == 4096)
        #expect(
            failure("[state]\nmax_diff_bytes = 0\n")
                == "config.toml: state.max_diff_bytes: must be between 1 and 1099511627776")
        #expect(
            failure("[server]\nmax_heavy_requests = -1\n")
                == "config.toml: server.max_heavy_requests: must be between 0 and 100000")
    }

    @Test func userErrorsNameTheEntry() {
        let hash = "password_hash = \"$pbkdf2-sha256$i=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA\""
        #expect(
            failure("[[users]]\nname = \"a\"\n\(hash)\npasword = 1\n") == "config.toml: users[0].pasword: unknown key")
        #expect(
            failure("[[users]]\nname = \"a\"\n")
                == "config.toml: users[0].password_hash: expected a string (make one with `statehouse hash-password`)")
        #expect(
            failure("[[users]]\nname = \"a:b\"\n\(hash)\n")
                == "config.toml: users[0].name: expected a non-empty name without ':'")
        #expect(
            failure("[[users]]\nname = \"a\"\n\(hash)\n[[users]]\nname = \"a\"\n\(hash)\n")
                == "config.toml: users[1].name: user a is defined twice")
        #expect(
            failure("[[users]]\nname = \"a\"\n\(hash)\ngrants = { \"*\" = \"owner\" }\n")
                == "config.toml: users[0].grants.\"*\": must be read, write or admin")
        #expect(
            failure("[[users]]\nname = \"a\"\n\(hash)\ngrants = { \"a//b\" = \"read\" }\n")?.contains(
                "not \"*\" or a state name prefix") == true)
        #expect(
            failure("[state]\nallow_lineage_change = \"yes\"\n")
                == "config.toml: state.allow_lineage_change: expected true or false, got a string")
        #expect(
            failure(nil, ["STATEHOUSE_STATE_ALLOW_LINEAGE_CHANGE": "maybe"])
                == "STATEHOUSE_STATE_ALLOW_LINEAGE_CHANGE: state.allow_lineage_change: expected true or false, got \"maybe\""
        )
        #expect(
            failure("[storage]\ndriver = \"mysql\"\n")
                == "config.toml: storage.driver: must be one of sqlite, postgres, memory, got \"mysql\"")
    }

    @Test func readsProtectedPrefixes() throws {
        let configuration = try self.load(
            """
            [[oidc_issuers]]
            issuer = "https://token.actions.githubusercontent.com"
            audience = "statehouse"
            rules = [{ claims = { repository = "acme/infra" }, grants = { "acme" = "write" } }]
            [[protected_prefixes]]
            prefix = "acme/prod"
            allow = [
              { issuer = "https://token.actions.githubusercontent.com", claims = { repository = "acme/infra", ref = "refs/heads/main" } },
              { principal = "release-bot" },
            ]
            [[protected_prefixes]]
            prefix = "legacy"
            allow = []
            """)
        #expect(
            configuration.protectedPrefixes == [
                ProtectedPrefix(
                    prefix: "acme/prod",
                    allowed: [
                        .workload(
                            issuer: "https://token.actions.githubusercontent.com",
                            claims: ["repository": ClaimPattern("acme/infra"), "ref": ClaimPattern("refs/heads/main")]),
                        .principal("release-bot"),
                    ]),
                ProtectedPrefix(prefix: "legacy", allowed: []),
            ])
        #expect(try self.load(nil).protectedPrefixes.isEmpty)
    }

    @Test func protectedPrefixErrorsNameTheEntry() {
        let rule = "[[protected_prefixes]]\nprefix = \"p\"\n"
        #expect(
            failure(rule)
                == #"config.toml: protected_prefixes[0].allow: expected an array such as [{ principal = "release-bot" }, { issuer = "https://…", claims = { ref = "refs/heads/main" } }] ([] for no one)"#
        )
        #expect(
            failure("[[protected_prefixes]]\nprefix = \"a//b\"\nallow = []\n")
                == #"config.toml: protected_prefixes[0].prefix: expected "*" or a state name prefix such as "acme/prod""#
        )
        #expect(failure(rule + "allow = []\nalow = 1\n") == "config.toml: protected_prefixes[0].alow: unknown key")
        #expect(
            failure(rule + "allow = [{ principal = \"a\", issuer = \"https://i\" }]\n")
                == #"config.toml: protected_prefixes[0].allow[0]: expected either principal = "…" or issuer = "…" (with claims)"#
        )
        #expect(
            failure(rule + "allow = [{ principal = \"a\", claims = { ref = \"x\" } }]\n")
                == "config.toml: protected_prefixes[0].allow[0].principal: expected a user name or token:<owner>/<name>, without claims"
        )
        let issuer = """
            [[oidc_issuers]]
            issuer = "https://i"
            audience = "a"
            rules = [{ claims = { repository = "r" }, grants = { "*" = "read" } }]

            """
        #expect(
            failure(issuer + rule + "allow = [{ issuer = \"https://i\", claims = { ref = \"a*b\" } }]\n")
                == "config.toml: protected_prefixes[0].allow[0].claims.ref: expected a string, matched exactly or, with a trailing *, as a prefix"
        )
        #expect(
            failure(rule + "allow = [{ issuer = \"https://j\" }]\n")
                == "config.toml: protected_prefixes[0].allow[0].issuer: https://j is not the issuer of any [[oidc_issuers]] table, so none of its tokens can log in"
        )
        #expect(
            failure(rule + "allow = [{ issuer = \"i\" }]\n")
                == "config.toml: protected_prefixes[0].allow[0].issuer: expected an issuer URL")
        #expect(
            failure(rule + "allow = [{ user = \"a\" }]\n")
                == "config.toml: protected_prefixes[0].allow[0].user: unknown key")
    }

    @Test func readsTLSAndCertificateUsers() throws {
        let configuration = try self.load(
            """
            [server]
            tls_certificate = "/etc/statehouse/server.pem"
            tls_key = "/etc/statehouse/server.key"
            tls_client_ca = "/etc/statehouse/ca.pem"
            tls_client_auth = "optional"
            [[users]]
            name = "runner"
            certificate_cn = "ci-runner"
            grants = { "*" = "write" }
            """)
        let tls = try #require(configuration.server.tls)
        #expect(tls.certificateChainFile == "/etc/statehouse/server.pem")
        #expect(tls.privateKeyFile == "/etc/statehouse/server.key")
        #expect(tls.clientCAFile == "/etc/statehouse/ca.pem")
        #expect(tls.clientAuthentication == .optional)
        #expect(configuration.users.first?.certificateCommonName == "ci-runner")
        #expect(configuration.users.first?.passwordHash == nil)
        #expect(try self.load(nil).server.tls == nil)
    }

    @Test func tlsErrorsNameTheKey() {
        #expect(
            failure("[server]\ntls_certificate = \"a.pem\"\n")
                == "config.toml: server.tls_key: TLS needs both server.tls_certificate and server.tls_key")
        #expect(
            failure("[server]\ntls_client_auth = \"required\"\n")
                == "config.toml: server.tls_client_auth: needs server.tls_certificate and server.tls_key")
        #expect(
            failure("[server]\ntls_certificate = \"a\"\ntls_key = \"b\"\ntls_client_auth = \"required\"\n")
                == "config.toml: server.tls_client_ca: needed when server.tls_client_auth is required")
        #expect(
            failure("[[users]]\nname = \"a\"\ngrants = { \"*\" = \"read\" }\n")
                == "config.toml: users[0].password_hash: expected a string (make one with `statehouse hash-password`)")
    }

    @Test func passwordsAreRedactedForLogs() {
        #expect(redactingPassword("postgresql://u:secret@db:5432/x") == "postgresql://u:***@db:5432/x")
        #expect(
            redactingPassword("postgresql://u@db/x?password=secret&sslmode=require")
                == "postgresql://u@db/x?password=***&sslmode=require")
        #expect(redactingPassword("host=db password=secret user=u") == "host=db password=*** user=u")
        #expect(redactingPassword("postgresql://db/x") == "postgresql://db/x")
    }

    @Test func environmentOverridesTheFile() throws {
        let configuration = try self.load(
            "[server]\nport = 9000\n",
            [
                "STATEHOUSE_SERVER_PORT": "9100", "STATEHOUSE_LOG_FORMAT": "json",
                "STATEHOUSE_SERVER_IDLE_TIMEOUT": "0.25",
            ])
        #expect(configuration.server.port == 9100)
        #expect(configuration.logFormat == .json)
        #expect(configuration.server.idleTimeout == .milliseconds(250))
    }

    @Test func errorsNameTheKeyAndTheProblem() {
        #expect(
            failure("[server]\nport = \"eighty\"\n") == "config.toml: server.port: expected an integer, got a string")
        #expect(failure("[server]\nport = 70000\n") == "config.toml: server.port: must be between 0 and 65535")
        #expect(failure("[server]\nprot = 1\n") == "config.toml: server.prot: unknown key")
        #expect(
            failure("[log]\nformat = \"xml\"\n") == "config.toml: log.format: must be one of text, json, got \"xml\"")
        #expect(
            failure("[server]\nidle_timeout = -1\n")
                == "config.toml: server.idle_timeout: expected a number of seconds greater than 0")
        #expect(
            failure(nil, ["STATEHOUSE_SERVER_PORT": "abc"])
                == "STATEHOUSE_SERVER_PORT: server.port: expected an integer, got \"abc\"")
        #expect(
            failure(nil, ["STATEHOUSE_SERVER_PROT": "1"])
                == "STATEHOUSE_SERVER_PROT: unknown setting (see README, Configuration)")
        #expect(failure("[server\nport = 1\n")?.hasPrefix("config.toml: not valid TOML at line 1") == true)
    }

    @Test func theConfigPathVariableIsNotAnUnknownSetting() throws {
        #expect(try self.load(nil, ["STATEHOUSE_CONFIG": "/etc/statehouse.toml"]).server.port == 8080)
    }

    @Test func theCLIsVariablesAreNotServerSettings() throws {
        let environment = ["STATEHOUSE_API_URL": "http://127.0.0.1:8080", "STATEHOUSE_API_PASSWORD": "pw"]
        #expect(try self.load(nil, environment).server.port == 8080)
        #expect(self.failure(nil, ["STATEHOUSE_APIURL": "x"])?.contains("STATEHOUSE_APIURL") == true)
    }

    @Test func readsRetention() throws {
        let defaults = try self.load(nil)
        #expect(defaults.retention == RetentionPolicy(versionDays: nil, keepVersions: 20, deletedStateDays: nil))
        let configured = try self.load(
            """
            [retention]
            version_days = 90
            keep_versions = 5
            deleted_state_days = 30
            interval = 60
            """, ["STATEHOUSE_RETENTION_KEEP_VERSIONS": "7"])
        #expect(configured.retention == RetentionPolicy(versionDays: 90, keepVersions: 7, deletedStateDays: 30))
        #expect(configured.retentionInterval == .seconds(60))
        #expect(self.failure("[retention]\nkeep_versions = 0")?.contains("retention.keep_versions") == true)
        #expect(self.failure("[retention]\nversion_days = -1")?.contains("retention.version_days") == true)
    }
}

@Suite struct UsersVariableAndMetricsTests {
    func load(_ toml: String?, _ environment: [String: String] = [:]) throws -> StatehouseConfiguration {
        try ConfigurationLoader.load(file: toml == nil ? nil : "config.toml", toml: toml, environment: environment)
    }

    @Test func statehouseUsersReplacesTheWholeList() throws {
        let file = """
            [[users]]
            name = "admin"
            password_hash = "$pbkdf2-sha256$i=1000$AA$AA"
            grants = { "*" = "admin" }
            """
        let users =
            #"[{ name = "ci", password_hash = "h1", grants = { "team" = "write" } }, { name = "viewer", certificate_cn = "cn" }]"#
        let configuration = try self.load(file, ["STATEHOUSE_USERS": users])
        #expect(configuration.users.map(\.name) == ["ci", "viewer"])
        #expect(configuration.users[0].passwordHash == "h1")
        #expect(configuration.users[0].grants == [Grant(prefix: "team", access: .write)])
        #expect(configuration.users[1].certificateCommonName == "cn")
        #expect(try self.load(file, ["STATEHOUSE_USERS": "[]"]).users.isEmpty)
        #expect(try self.load(file).users.map(\.name) == ["admin"])
    }

    @Test func statehouseUsersErrorsNameTheVariable() {
        func failure(_ value: String) -> String? {
            do {
                _ = try self.load(nil, ["STATEHOUSE_USERS": value])
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(failure("admin:secret")?.hasPrefix("STATEHOUSE_USERS: expected a TOML array of inline tables") == true)
        #expect(failure(#"[{ name = "a", password = "x" }]"#) == "STATEHOUSE_USERS: users[0].password: unknown key")
        #expect(
            failure(#"[{ name = "a", password_hash = "x", grants = { "*" = "root" } }]"#)
                == #"STATEHOUSE_USERS: users[0].grants."*": must be read, write or admin"#)
    }

    @Test func issuersAndProtectedPrefixesComeFromTheEnvironmentToo() throws {
        let issuers =
            #"[{ issuer = "https://gitlab.example.com", audience = "statehouse", rules = [{ claims = { project_path = "acme/infra" }, grants = { "acme" = "write" } }] }]"#
        let prefixes =
            #"[{ prefix = "acme/prod", allow = [{ issuer = "https://gitlab.example.com", claims = { ref_protected = "true" } }] }]"#
        let configuration = try self.load(
            nil, ["STATEHOUSE_OIDC_ISSUERS": issuers, "STATEHOUSE_PROTECTED_PREFIXES": prefixes])
        #expect(configuration.oidcIssuers.map(\.issuer) == ["https://gitlab.example.com"])
        #expect(
            configuration.protectedPrefixes == [
                ProtectedPrefix(
                    prefix: "acme/prod",
                    allowed: [
                        .workload(
                            issuer: "https://gitlab.example.com", claims: ["ref_protected": ClaimPattern("true")])
                    ])
            ])
        func failure(_ environment: [String: String]) -> String? {
            do {
                _ = try self.load(nil, environment)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(
            failure(["STATEHOUSE_PROTECTED_PREFIXES": prefixes])
                == "STATEHOUSE_PROTECTED_PREFIXES: protected_prefixes[0].allow[0].issuer: https://gitlab.example.com is not the issuer of any [[oidc_issuers]] table, so none of its tokens can log in"
        )
        #expect(
            failure(["STATEHOUSE_OIDC_ISSUERS": "gitlab"])?.hasPrefix(
                "STATEHOUSE_OIDC_ISSUERS: expected a TOML array of inline tables") == true)
    }

    @Test func metricsAreOnWithoutLoginByDefault() throws {
        let defaults = try self.load(nil)
        #expect(defaults.metricsEnabled)
        #expect(!defaults.metricsRequireAuth)
        let changed = try self.load(
            "[metrics]\nenabled = false\n", ["STATEHOUSE_METRICS_REQUIRE_AUTH": "true"])
        #expect(!changed.metricsEnabled)
        #expect(changed.metricsRequireAuth)
    }

    @Test(arguments: [
        ("localhost", true), ("127.0.0.1", true), ("127.1.2.3", true), ("::1", true), ("*", false),
        ("0.0.0.0", false), ("::", false), ("statehouse.example.com", false), ("10.0.0.5", false),
        ("127.a.b.c", false),
    ])
    func theShippedUserIsRefusedBeyondLoopback(host: String, allowed: Bool) throws {
        var configuration = try self.load(
            """
            [[users]]
            name = "admin"
            password_hash = "\(StatehouseConfiguration.shippedPasswordHash)"
            """)
        configuration.server.host = host
        var refused: String? = nil
        do { try Serve.refuseShippedUser(configuration) } catch { refused = "\(error)" }
        #expect((refused == nil) == allowed, "\(host): \(refused ?? "allowed")")
        if let refused { #expect(refused.contains("user admin has the default password")) }
        configuration.users = try self.load(
            nil, ["STATEHOUSE_USERS": #"[{ name = "admin", password_hash = "other" }]"#]
        )
        .users
        try Serve.refuseShippedUser(configuration)
    }
}
