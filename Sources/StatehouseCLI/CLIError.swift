import APITypes
import HTTPTransport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Why a command failed: the message after `statehouse: ` and the exit status.
public struct CLIError: Error, CustomStringConvertible {
    /// The exit status for an error answer from the server.
    public static let failureStatus: Int32 = 1
    /// The exit status for a usage problem, as argument-parser uses for invalid options (`EX_USAGE`).
    public static let usageStatus: Int32 = 64
    /// The exit status when the server cannot be reached (connection, TLS or timeout).
    public static let unreachableStatus: Int32 = 3

    /// The message, without the `statehouse: ` prefix; may span lines.
    public let description: String
    /// The process exit status.
    public let exitStatus: Int32

    /// A bad option or setting, found after argument parsing (for example in the environment).
    public static func usage(_ message: String) -> CLIError {
        CLIError(description: message, exitStatus: CLIError.usageStatus)
    }

    /// The connection, TLS handshake, or a send or receive failed.
    public static func unreachable(server: String, reason: String) -> CLIError {
        CLIError(description: "cannot reach \(server): \(reason)", exitStatus: CLIError.unreachableStatus)
    }

    /// The server answered with something that is not valid HTTP or not the contract's JSON.
    public static func invalidResponse(server: String, reason: String) -> CLIError {
        CLIError(description: "invalid response from \(server): \(reason)", exitStatus: CLIError.failureStatus)
    }

    /// An error answer: `<the server's "error"> (HTTP <status>)`, plus the conflicting lock for a
    /// 409 and the retry delay for a 503. A 401 says the credentials sent to `server` are wrong, or
    /// hints how to send some when none were.
    static func answer(_ response: HTTPResponse, server: String, sentCredentials: Bool) -> CLIError {
        if response.status == 401 && sentCredentials {
            return CLIError(
                description: "wrong user or password for \(server) (HTTP 401)", exitStatus: CLIError.failureStatus)
        }
        let decoded = try? APIJSON.decoder.decode(ErrorBody.self, from: Data(response.body))
        let reason = response.reason.isEmpty ? "error" : response.reason
        var message = "\(decoded?.error ?? reason) (HTTP \(response.status))"
        if let lock = decoded?.lock {
            message += "\n  lock " + Render.lockHolder(lock)
        }
        if response.status == 503, let retry = response.header("Retry-After") {
            message += "; retry in \(retry) s"
        }
        if response.status == 401 {
            message += "; set STATEHOUSE_API_USER and STATEHOUSE_API_PASSWORD (or --user), or use a client certificate"
        }
        return CLIError(description: message, exitStatus: CLIError.failureStatus)
    }
}
