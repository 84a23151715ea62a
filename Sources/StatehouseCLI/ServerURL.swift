/// Where the management API is: `http[s]://host[:port][/base]`, as given to `--server`.
public struct ServerURL: Sendable, CustomStringConvertible {
    /// The two schemes the client speaks.
    public enum Scheme: String, Sendable {
        /// Plain HTTP/1.1.
        case http
        /// HTTP/1.1 over TLS.
        case https
    }

    /// `http` or `https`.
    public let scheme: Scheme
    /// The host name or address, without the brackets of an IPv6 literal.
    public let host: String
    /// The port, explicit or the scheme's default.
    public let port: Int
    /// A path prefix in front of `/api/v1` (for a server behind a proxy), without a trailing `/`;
    /// empty for none.
    public let basePath: String
    /// The URL as given, for messages.
    public let description: String

    /// Parses `text`; rejects other schemes, user info, queries, fragments and bad ports.
    public init(parsing text: String) throws(CLIError) {
        func invalid(_ reason: String) -> CLIError { .usage("invalid server URL '\(text)': \(reason)") }
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") {
            self.scheme = .https
            rest = text.dropFirst(8)
        } else if lowered.hasPrefix("http://") {
            self.scheme = .http
            rest = text.dropFirst(7)
        } else {
            throw invalid("expected http:// or https://")
        }
        guard !rest.contains("?"), !rest.contains("#") else { throw invalid("no query or fragment expected") }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        guard !authority.contains("@") else {
            throw invalid("credentials belong in --user and STATEHOUSE_API_PASSWORD, not in the URL")
        }
        var path = rest[slash...]
        while path.hasSuffix("/") { path = path.dropLast() }
        self.basePath = String(path)

        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unclosed '['") }
            self.host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw invalid("unexpected text after ']'") }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else {
            let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw invalid("an IPv6 address needs brackets, as in http://[::1]:8080") }
            self.host = String(parts[0])
            portText = parts.count == 2 ? parts[1] : nil
        }
        guard !self.host.isEmpty else { throw invalid("no host") }
        if let portText {
            guard portText.allSatisfy(\.isASCII), let port = Int(portText), (1...65535).contains(port) else {
                throw invalid("the port must be a number from 1 to 65535")
            }
            self.port = port
        } else {
            self.port = self.scheme == .https ? 443 : 80
        }
        self.description = text
    }

    /// The `Host` header value: the host (bracketed when IPv6) and any non-default port.
    public var authority: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        let defaultPort = self.scheme == .https ? 443 : 80
        return self.port == defaultPort ? host : "\(host):\(self.port)"
    }
}
