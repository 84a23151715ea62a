/// An `https://` URL taken apart for a request: host, port and origin-form target.
struct HTTPSLocation: Equatable, Sendable, CustomStringConvertible {
    /// The host name or IP address, without brackets.
    let host: String
    /// The port (443 unless given).
    let port: Int
    /// The path and query, at least `/`.
    let target: String
    /// The `Host` header value: the host (bracketed for IPv6) and its port if given.
    let authority: String
    /// The URL as given.
    let description: String

    /// Parses `text`; only `https://` with a host is accepted, without user information or fragment.
    init(_ text: String) throws(KeyFetchError) {
        let scheme = "https://"
        guard text.lowercased().hasPrefix(scheme) else { throw KeyFetchError("\(text) is not an https:// URL") }
        let rest = text.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let target = rest.dropFirst(authority.count)
        guard !authority.isEmpty, !authority.contains("@"), !target.contains("#") else {
            throw KeyFetchError("\(text) is not an https:// URL with a host")
        }
        var host = Substring(authority)
        var port = 443
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw KeyFetchError("\(text) has an invalid host") }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let parsed = Int(after.dropFirst()) else {
                    throw KeyFetchError("\(text) has an invalid port")
                }
                port = parsed
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let parsed = Int(host[host.index(after: colon)...]) else {
                throw KeyFetchError("\(text) has an invalid port")
            }
            port = parsed
            host = host[..<colon]
        }
        guard !host.isEmpty, (1...65535).contains(port) else {
            throw KeyFetchError("\(text) has an invalid host or port")
        }
        self.host = String(host)
        self.port = port
        self.target = target.isEmpty ? "/" : String(target)
        self.authority = String(authority)
        self.description = text
    }
}
