import HTTPServer
import Logging

/// Everything `statehouse serve` is configured with, after `config.toml` and the environment.
struct StatehouseConfiguration: Sendable {
    /// The log line format.
    enum LogFormat: String, Sendable, CaseIterable {
        /// `2026-11-22T10:00:00.123Z info request … key=value` lines.
        case text
        /// One JSON object per line.
        case json
    }

    /// Listening and limits.
    var server = HTTPServerConfiguration()
    /// How long in-flight requests may run after SIGTERM or SIGINT.
    var drainTimeout: Duration = .seconds(10)
    /// The lowest level logged.
    var logLevel: Logger.Level = .info
    /// How log lines look.
    var logFormat: LogFormat = .text
}
