import Application
import ArgumentParser
import CoreMetrics
import Domain
import HTTPServer
import Logging
import PasswordAuth
import S3API
import SystemSupport
import WebAPI
import WebUI
import WorkloadIdentity

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `statehouse serve`: runs the server until SIGTERM or SIGINT, then drains and exits 0.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the state server.",
        discussion: """
            Settings come from the config file (default ./config.toml, or $STATEHOUSE_CONFIG) and \
            are overridden by STATEHOUSE_<SECTION>_<KEY> environment variables, for example \
            STATEHOUSE_SERVER_PORT=9000.
            """)

    @Option(name: .long, help: "Path to the config file (default: config.toml, or $STATEHOUSE_CONFIG).")
    var config: String?

    func run() throws {
        FatalErrorPolicy.apply()
        SignalWaiter.blockShutdownSignals()
        MemoryPolicy.apply()
        let environment = ProcessEnvironment.current
        let (path, configuration) = try Serve.loadConfiguration(flag: self.config, environment: environment)

        let output = LineLogHandler.Output(fd: STDOUT_FILENO)
        LoggingSystem.bootstrap { _ in
            LineLogHandler(format: configuration.logFormat, output: output, logLevel: configuration.logLevel)
        }
        let logger = Logger(label: "statehouse")

        let server: HTTPServer
        let retention: RetentionWorker
        do {
            try Serve.refuseShippedUser(configuration)
            let users = try UserDirectory(users: configuration.users)
            let metrics = configuration.metricsEnabled ? PrometheusMetrics() : nil
            let factory: any MetricsFactory = metrics?.factory ?? NOOPMetricsHandler.instance
            let store = try StoreFactory.make(
                configuration.storage, keys: configuration.encryption, logger: logger, metrics: factory)
            let clock = SystemWallClock()
            let oidc = try Serve.oidcVerifier(configuration.oidcIssuers, clock: clock, logger: logger)
            let authenticator = Authenticator(
                passwords: users, tokens: Serve.tokenVerifier(store: store, clock: clock, configuration), secrets: oidc,
                protections: configuration.protectedPrefixes,
                throttle: LoginThrottle(policy: configuration.login, clock: clock, logger: logger, factory: factory))
            let cache = ContentCache(capacityBytes: configuration.cacheBytes)
            let heavyWork = HeavyWork(limit: configuration.maxHeavyRequests, factory: factory)
            let api = StatehouseAPI(
                useCases: UseCaseWiring.api(
                    store: store, clock: clock, cache: cache,
                    policy: WritePolicy(allowLineageChange: configuration.allowLineageChange),
                    compressionLevel: configuration.compressionLevel, heavyWork: heavyWork,
                    maxDiffBytes: Int64(configuration.maxDiffBytes), tokens: configuration.tokens),
                authenticator: authenticator,
                clock: clock,
                metrics: metrics.map {
                    MetricsEndpoint(
                        factory: $0.factory, requireAuth: configuration.metricsRequireAuth, exposition: $0.exposition)
                })
            let ui =
                try configuration.uiEnabled
                ? WebUI(
                    useCases: UseCaseWiring.ui(
                        store: store, clock: clock, cache: cache, compressionLevel: configuration.compressionLevel,
                        heavyWork: heavyWork, maxDiffBytes: Int64(configuration.maxDiffBytes),
                        sessions: UseCaseWiring.sessions(
                            store: store, clock: clock, authenticator: authenticator, policy: configuration.sessions,
                            logger: logger, factory: factory)),
                    clock: clock,
                    settings: WebUI.Settings(
                        secureCookies: configuration.server.tls != nil, staleLockAfter: configuration.staleLockAfter),
                    metrics: factory)
                : nil
            let s3 =
                configuration.s3Enabled
                ? S3API(
                    useCases: UseCaseWiring.s3(
                        store: store, clock: clock, cache: cache,
                        policy: WritePolicy(allowLineageChange: configuration.allowLineageChange),
                        compressionLevel: configuration.compressionLevel, heavyWork: heavyWork,
                        maxStateBytes: configuration.server.limits.maxBodyBytes),
                    keys: Serve.s3KeyVerifier(store: store, clock: clock, configuration), authenticator: authenticator,
                    clock: clock, settings: configuration.s3, metrics: factory)
                : nil
            server = try HTTPServer(
                configuration: configuration.server, responder: Routes(api: api, ui: ui, s3: s3), logger: logger,
                metrics: metrics?.factory)
            try server.start()
            retention = RetentionWorker(
                ApplyRetention(store: store, clock: clock, policy: configuration.retention),
                sessions: ExpireSessions(store: store, clock: clock, factory: factory),
                every: configuration.retentionInterval, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        if configuration.users.isEmpty {
            logger.warning("no [[users]] configured: every request except /healthz will get 401")
        }
        if let warning = Serve.exampleKeyWarning(configuration.encryption) {
            logger.warning("\(warning)")
        }
        logger.notice(
            "statehouse listening",
            metadata: [
                "addresses": .string(server.addresses.map(\.description).joined(separator: ",")),
                "store": .string(StoreFactory.describe(configuration.storage)),
                "encryption": .string(Serve.describe(configuration.encryption)),
                "config": .string(path ?? "(defaults)"),
                "version": .string(Statehouse.version),
            ])
        let outcome: Lifecycle.Outcome
        do {
            outcome = try Lifecycle.run(
                server: server, retention: retention, drainTimeout: configuration.drainTimeout, logger: logger)
        } catch {
            logger.critical("cannot handle signals", metadata: ["error": "\(error)"])
            server.shutdown(drainTimeout: .zero)
            throw ExitCode.failure
        }
        logger.notice("stopped", metadata: ["drained": "\(outcome.drained)"])
        if outcome.cancelled { throw ExitCode.failure }
    }

    /// Checks API tokens against `store`, capped by their owners' grants in `configuration`.
    static func tokenVerifier(
        store: any UnitOfWork, clock: any WallClock, _ configuration: StatehouseConfiguration
    ) -> TokenVerifier {
        TokenVerifier(store: store, clock: clock, ownerGrants: Serve.ownerGrants(configuration))
    }

    /// A configured user's grants by name, `nil` for a name that is no user: what a token acts
    /// within.
    static func ownerGrants(_ configuration: StatehouseConfiguration) -> @Sendable (String) -> [Grant]? {
        let grants = Dictionary(
            configuration.users.map { ($0.name, $0.grants) }, uniquingKeysWith: { first, _ in first })
        return { grants[$0] }
    }

    /// The S3 endpoint's keys: API tokens with an access key, acting for their owners as tokens do.
    static func s3KeyVerifier(
        store: any UnitOfWork, clock: any WallClock, _ configuration: StatehouseConfiguration
    ) -> S3KeyVerifier {
        S3KeyVerifier(store: store, clock: clock, ownerGrants: Serve.ownerGrants(configuration))
    }

    /// The verifier of the configured OIDC issuers' ID tokens, if there are any. Keys from files are
    /// read now; the others are fetched on a thread of their own, so that the server starts and
    /// serves everyone else while an issuer cannot be reached.
    static func oidcVerifier(_ issuers: [OIDCIssuer], clock: any WallClock, logger: Logger) throws
        -> [any SecretVerifier]
    {
        guard !issuers.isEmpty else { return [] }
        let verifier = try IDTokenVerifier(issuers: issuers, clock: clock, logger: logger)
        try ThreadSpawner.spawn(stackSize: 512 << 10) { verifier.prefetch() }
        return [verifier]
    }

    /// Stops startup when the server would listen beyond loopback while a user still has the
    /// password that config.toml ships with.
    static func refuseShippedUser(_ configuration: StatehouseConfiguration) throws(ValidationError) {
        let host = configuration.server.host
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        let loopback =
            host == "localhost" || host == "::1" || host == "[::1]"
            || (octets.first == "127" && octets.count == 4 && octets.allSatisfy { UInt8($0) != nil })
        guard !loopback,
            let user = configuration.users.first(where: {
                $0.passwordHash == StatehouseConfiguration.shippedPasswordHash
            })
        else { return }
        throw ValidationError(
            "refusing to listen on \(host) while user \(user.name) has the default password from config.toml: "
                + "give it a new password_hash (statehouse hash-password), replace the users with "
                + "STATEHOUSE_USERS, or listen on localhost")
    }

    /// Reads the config file named by the flag, `$STATEHOUSE_CONFIG` or `./config.toml`.
    /// A missing default file means built-in defaults; a missing named file is an error.
    /// The key ring for the startup line, by key ids only: "off (…)", or "key 2026-12 (2 keys in the ring)".
    static func describe(_ ring: KeyRing) -> String {
        guard let first = ring.keys.first else { return "off (states and S3 key secrets stored unencrypted)" }
        return "key \(first.id) (\(ring.keys.count) \(ring.keys.count == 1 ? "key" : "keys") in the ring)"
    }

    /// A warning when the ring holds the public example key of .env.example.
    static func exampleKeyWarning(_ ring: KeyRing) -> String? {
        guard let example = try? KeyRing(entries: [StatehouseConfiguration.exampleEncryptionKey]).keys.first,
            ring.keys.contains(where: { $0.id == example.id && $0.key == example.key })
        else { return nil }
        return "the encryption key \(example.id) is the public example from .env.example: anyone can decrypt what it "
            + "seals; put a key from `statehouse generate-key` first and run `statehouse rekey`"
    }

    static func loadConfiguration(
        flag: String?, environment: [String: String]
    ) throws -> (path: String?, configuration: StatehouseConfiguration) {
        let named = flag ?? environment[ConfigurationLoader.configPathVariable]
        let path = named ?? "config.toml"
        let toml: String?
        do {
            toml = try readFile(path)
        } catch {
            if named != nil || error.code != ENOENT {
                throw ValidationError("cannot read config file \(path): \(error)")
            }
            toml = nil
        }
        do {
            let configuration = try ConfigurationLoader.load(
                file: toml == nil ? nil : path, toml: toml, environment: environment)
            return (toml == nil ? nil : path, configuration)
        } catch {
            throw ValidationError("invalid configuration: \(error)")
        }
    }
}

/// The process environment as a dictionary.
enum ProcessEnvironment {
    static var current: [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return result
    }
}

/// The whole file at `path` as UTF-8 text.
func readFile(_ path: String) throws(SystemError) -> String {
    String(decoding: try FileIO.readAll(path), as: UTF8.self)
}
