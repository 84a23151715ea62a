import HTTPServer

/// The management API's URLs under `/api/v1`.
///
/// A state's name may span several path segments (`/api/v1/states/team/app/versions`); the last
/// segments name the sub-resource. Segments are split on literal `/` before percent-decoding, so
/// a state whose own last segment is a sub-resource word is reached with its slashes sent as `%2F`.
struct ManagementRoute: Equatable {
    enum Resource: Equatable {
        /// `/api/v1/states`
        case states
        /// `/api/v1/states/{name}`
        case state(String)
        /// `/api/v1/states/{name}/lock`
        case lock(String)
        /// `/api/v1/states/{name}/versions`
        case versions(String)
        /// `/api/v1/states/{name}/versions/{number}`
        case version(String, Int64)
        /// `/api/v1/states/{name}/rollback`
        case rollback(String)
        /// `/api/v1/states/{name}/diff`
        case diff(String)
        /// `/api/v1/states/{name}/restore`
        case restore(String)
        /// `/api/v1/locks`
        case locks
        /// `/api/v1/audit`
        case audit
        /// `/api/v1/tokens`
        case tokens
        /// `/api/v1/tokens/{id}`
        case token(String)
    }

    /// The OpenAPI document's path, served without authentication.
    static let documentPath = "/api/v1/openapi.json"

    let resource: Resource

    /// Matches a raw (still percent-encoded) path under `/api/v1/`, or `nil`. A path under it that
    /// names nothing becomes `nil` too and is answered 404.
    init?(rawPath: String) {
        let prefix = "/api/v1/"
        guard rawPath.hasPrefix(prefix) else { return nil }
        let segments = rawPath.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
            .map { String($0) }
        guard let decoded = Self.decode(segments), let first = decoded.first else { return nil }
        switch (first, decoded.count) {
        case ("states", 1): self.resource = .states
        case ("locks", 1): self.resource = .locks
        case ("audit", 1): self.resource = .audit
        case ("tokens", 1): self.resource = .tokens
        case ("tokens", 2): self.resource = .token(decoded[1])
        case ("states", _): self.resource = Self.stateResource(Array(decoded.dropFirst()))
        default: return nil
        }
    }

    /// The resource under `/api/v1/states/` for these decoded segments.
    private static func stateResource(_ segments: [String]) -> Resource {
        let count = segments.count
        if count >= 3, segments[count - 2] == "versions", let number = Int64(segments[count - 1]),
            segments[count - 1].allSatisfy(\.isASCII)
        {
            return .version(segments[..<(count - 2)].joined(separator: "/"), number)
        }
        if count >= 2 {
            let name = segments[..<(count - 1)].joined(separator: "/")
            switch segments[count - 1] {
            case "lock": return .lock(name)
            case "versions": return .versions(name)
            case "rollback": return .rollback(name)
            case "diff": return .diff(name)
            case "restore": return .restore(name)
            default: break
            }
        }
        return .state(segments.joined(separator: "/"))
    }

    /// Percent-decodes each segment; `nil` if one is malformed, NUL or not UTF-8.
    private static func decode(_ segments: [String]) -> [String]? {
        var decoded: [String] = []
        for segment in segments {
            guard let text = try? RequestTarget.percentDecode(segment, plusAsSpace: false) else { return nil }
            decoded.append(text)
        }
        return decoded
    }

    /// The query parameters each resource reads; any other is refused, so that a misspelt
    /// filter (`older-than`) never silently widens what a script acts on.
    var queryParameters: Set<String> {
        switch self.resource {
        case .states: ["prefix", "contains", "limit", "cursor", "deleted"]
        case .versions: ["limit", "before"]
        case .diff: ["from", "to"]
        case .locks: ["older_than", "limit", "cursor"]
        case .audit: ["state", "user", "action", "since", "limit", "after"]
        case .state, .lock, .version, .rollback, .restore, .tokens, .token: []
        }
    }

    /// The methods each resource answers.
    var allowedMethods: [String] {
        switch self.resource {
        case .states, .state, .versions, .diff, .locks, .audit: ["GET", "HEAD"]
        case .version: ["GET", "HEAD", "DELETE"]
        case .lock: ["DELETE"]
        case .rollback, .restore: ["POST"]
        case .tokens: ["GET", "HEAD", "POST"]
        case .token: ["DELETE"]
        }
    }
}
