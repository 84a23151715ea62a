import ArgumentParser
import HTTPServer
import StatehouseCLI

/// `statehouse healthcheck`: exits 0 when the server configured here answers `GET /healthz` on
/// this machine, 1 otherwise. The Docker image's HEALTHCHECK runs it.
struct HealthCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Check that the local server answers /healthz (for container health checks).",
        discussion: """
            Reads the same config file and STATEHOUSE_* variables as `serve` to find the host and \
            port, and asks 127.0.0.1 when the server listens on every interface or on localhost \
            (::1 for ::), the configured host otherwise. With TLS configured, only the TCP \
            connection is checked.
            """)

    @Option(name: .long, help: "Path to the config file (default: config.toml, or $STATEHOUSE_CONFIG).")
    var config: String?

    @Option(name: .long, help: "Seconds to wait for the answer.")
    var timeout = 5

    func run() throws {
        let (_, configuration) = try Serve.loadConfiguration(flag: self.config, environment: ProcessEnvironment.current)
        let server = configuration.server
        let host: String =
            switch server.host {
            case "*", "", "localhost", "0.0.0.0": "127.0.0.1"
            case "::": "::1"
            default: server.host
            }
        if let problem = HealthProbe.check(
            host: host, port: server.port, tls: server.tls != nil, timeout: .seconds(self.timeout))
        {
            print("unhealthy: \(problem)")
            throw ExitCode.failure
        }
        print("healthy")
    }
}
