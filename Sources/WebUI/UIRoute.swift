import HTTPServer

/// The pages' URLs under `/ui/`. A state's name may span several path segments
/// (`/ui/states/team/app/diff`); as in the management API, the last segment names the sub-page, and a
/// state whose own last segment is such a word is reached with its slashes sent as `%2F`.
enum UIRoute: Equatable {
    /// `/ui` and `/ui/`: the states.
    case home
    /// `/ui/assets/{file}`
    case asset(String)
    /// `/ui/sign-in`
    case signIn
    /// `/ui/sign-out`
    case signOut
    /// `/ui/states`
    case states
    /// `/ui/locks`
    case locks
    /// `/ui/audit`
    case audit
    /// `/ui/states/{name}`
    case state(String)
    /// `/ui/states/{name}/diff`
    case diff(String)
    /// `/ui/states/{name}/versions/{number}`: the version's JSON.
    case version(String, Int64)
    /// `/ui/states/{name}/rollback`: the confirmation (GET) and the rollback (POST).
    case rollback(String)
    /// `/ui/states/{name}/unlock`
    case unlock(String)
    /// `/ui/states/{name}/delete`
    case delete(String)
    /// `/ui/states/{name}/restore`
    case restore(String)

    /// Matches a raw (still percent-encoded) path under `/ui`; `nil` for one that names nothing.
    init?(rawPath: String) {
        if rawPath == "/ui" || rawPath == "/ui/" {
            self = .home
            return
        }
        guard rawPath.hasPrefix("/ui/") else { return nil }
        var segments: [String] = []
        for segment in rawPath.dropFirst(4).split(separator: "/", omittingEmptySubsequences: false) {
            guard let decoded = try? RequestTarget.percentDecode(segment, plusAsSpace: false) else { return nil }
            segments.append(decoded)
        }
        switch (segments.first, segments.count) {
        case ("sign-in", 1): self = .signIn
        case ("sign-out", 1): self = .signOut
        case ("states", 1): self = .states
        case ("locks", 1): self = .locks
        case ("audit", 1): self = .audit
        case ("assets", 2): self = .asset(segments[1])
        case ("states", let count) where count > 1:
            guard let route = Self.stateRoute(Array(segments.dropFirst())) else { return nil }
            self = route
        default: return nil
        }
    }

    private static func stateRoute(_ segments: [String]) -> UIRoute? {
        let count = segments.count
        if count >= 3, segments[count - 2] == "versions", segments[count - 1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let number = Int64(segments[count - 1])
        {
            return .version(segments[..<(count - 2)].joined(separator: "/"), number)
        }
        if count >= 2 {
            let name = segments[..<(count - 1)].joined(separator: "/")
            switch segments[count - 1] {
            case "diff": return .diff(name)
            case "rollback": return .rollback(name)
            case "unlock": return .unlock(name)
            case "delete": return .delete(name)
            case "restore": return .restore(name)
            default: break
            }
        }
        let name = segments.joined(separator: "/")
        return name.isEmpty ? nil : .state(name)
    }

    /// The methods the route answers.
    var allowedMethods: [String] {
        switch self {
        case .signIn, .rollback: ["GET", "HEAD", "POST"]
        case .signOut, .unlock, .delete, .restore: ["POST"]
        default: ["GET", "HEAD"]
        }
    }

    /// The URL of state `name`'s page (its sub-pages append to it).
    static func statePath(_ name: String) -> String {
        // A name with a sub-page word for a segment could be read as that sub-page: its slashes are sent as %2F.
        let words: Set<Substring> = ["diff", "rollback", "unlock", "delete", "restore", "versions"]
        let ambiguous = name.split(separator: "/", omittingEmptySubsequences: false).contains(where: words.contains)
        let encoded = ambiguous ? urlEncoded(name) : urlEncoded(name, keepSlash: true)
        return "/ui/states/" + encoded
    }
}
