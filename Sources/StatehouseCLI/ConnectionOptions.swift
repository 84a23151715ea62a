import ArgumentParser
import HTTPTransport
import SystemSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The options every API command takes: where the server is, how to authenticate, and `--json`.
/// Each falls back to a `STATEHOUSE_API_*` environment variable.
public struct ConnectionOptions: ParsableArguments {
    /// The default server.
    public static let defaultServer = "http://127.0.0.1:8080"

    /// The API's base URL.
    @Option(help: "The server's URL (env STATEHOUSE_API_URL; default \(ConnectionOptions.defaultServer)).")
    public var server: String?

    /// The user for HTTP Basic authentication.
    @Option(help: "User name for HTTP Basic authentication (env STATEHOUSE_API_USER).")
    public var user: String?

    /// The password; the environment is preferred.
    @Option(
        help: """
            Password (prefer env STATEHOUSE_API_PASSWORD: arguments are visible in the process list).
            """)
    public var password: String?

    /// The CAs to trust for `https://`.
    @Option(help: "PEM file of CAs to trust instead of the system's (env STATEHOUSE_API_CA_FILE).")
    public var caFile: String?

    /// The client certificate for mutual TLS.
    @Option(help: "PEM client certificate for mutual TLS (env STATEHOUSE_API_CERT).")
    public var cert: String?

    /// The client certificate's key.
    @Option(help: "PEM key of --cert, if not in the same file (env STATEHOUSE_API_KEY).")
    public var key: String?

    /// Print the server's JSON answer unchanged.
    @Flag(help: "Print the server's JSON answer as it is, for scripts.")
    public var json = false

    /// Creates the options with their defaults.
    public init() {}

    /// The client these options and `environment` describe.
    public func client(environment: [String: String], timeout: Duration = .seconds(30)) throws(CLIError) -> APIClient {
        func setting(_ option: String?, _ variable: String) -> String? {
            option ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        let server = try ServerURL(
            parsing: setting(self.server, "STATEHOUSE_API_URL") ?? ConnectionOptions.defaultServer)
        let user = setting(self.user, "STATEHOUSE_API_USER")
        let password = setting(self.password, "STATEHOUSE_API_PASSWORD")
        if user == nil && password != nil {
            throw .usage("a password is set but no user: set --user or STATEHOUSE_API_USER")
        }
        if user != nil && password == nil {
            throw .usage("--user needs a password: set STATEHOUSE_API_PASSWORD (or --password)")
        }
        let files = TLSFiles(
            caFile: setting(self.caFile, "STATEHOUSE_API_CA_FILE"),
            certificateFile: setting(self.cert, "STATEHOUSE_API_CERT"), keyFile: setting(self.key, "STATEHOUSE_API_KEY")
        )
        if files.keyFile != nil && files.certificateFile == nil {
            throw .usage("--key needs --cert (or STATEHOUSE_API_CERT)")
        }
        let http = try HTTPClient(server: server, tls: files, timeout: timeout)
        return APIClient(http: http, user: user, password: password)
    }
}

/// Where a command writes: standard output and standard error, or a test's buffers.
public struct Console: Sendable {
    /// Writes to standard output.
    public var output: @Sendable (String) -> Void
    /// Writes to standard error.
    public var error: @Sendable (String) -> Void

    /// A console writing through `output` and `error`.
    public init(output: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void) {
        self.output = output
        self.error = error
    }

    /// The process's standard output and error.
    public static let standard = Console(
        output: { writeAll(STDOUT_FILENO, $0) }, error: { writeAll(STDERR_FILENO, $0) })
}

/// Writes every byte of `text` to `fd`, giving up on an error (a closed pipe, say).
private func writeAll(_ fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { try? FileIO.writeAll(fd, UnsafeRawBufferPointer($0)) }
}

/// A subcommand that calls the API: it renders one answer as text, and this protocol does the
/// rest (settings from the environment, printing, error messages and exit status).
public protocol APICommand: ParsableCommand {
    /// The server, credentials and `--json`.
    var connection: ConnectionOptions { get }

    /// Makes the calls and returns what to print (without the final newline).
    func perform(_ api: APIClient) throws(CLIError) -> String
}

extension APICommand {
    /// Runs against the process environment and standard streams; a failure exits with its status.
    public func run() throws {
        let status = self.execute(environment: ProcessInfo.processInfo.environment, console: .standard)
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command and returns its exit status: the output goes to `console.output`, an error
    /// to `console.error` as `statehouse: <message>`.
    public func execute(environment: [String: String], console: Console, timeout: Duration = .seconds(30)) -> Int32 {
        do {
            let text = try self.perform(try self.connection.client(environment: environment, timeout: timeout))
            if !text.isEmpty { console.output(text.hasSuffix("\n") ? text : text + "\n") }
            return 0
        } catch {
            console.error("statehouse: \(error.description)\n")
            return error.exitStatus
        }
    }
}
