import Domain

/// The Terraform http-backend URLs and the methods each accepts.
///
/// - `/state/{name}`: GET, HEAD read; POST, PUT write; DELETE deletes; LOCK and UNLOCK.
/// - `/lock/{name}`: LOCK, POST, PUT lock; UNLOCK, DELETE unlock (GitLab style).
/// - `/unlock/{name}`: UNLOCK, POST, PUT, DELETE unlock.
///
/// So any combination users configure works, including one URL for all three roles.
struct ProtocolRoute {
    enum Kind {
        case state
        case lock
        case unlock
    }

    enum Action {
        case read
        case write
        case lock
        case unlock
        case delete

        /// The access the action needs on the state (the use case checks it again).
        var access: Access {
            switch self {
            case .read: .read
            case .write, .lock, .unlock: .write
            case .delete: .admin
            }
        }

        /// Whether the action changes or locks the state (what a protected prefix refuses).
        var changes: Bool { self == .write || self == .lock || self == .delete }
    }

    let kind: Kind
    /// The state name as it appears in the path (validated later).
    let name: String

    /// Matches `/state/…`, `/lock/…` or `/unlock/…`.
    init?(path: String) {
        for (prefix, kind) in [("/state/", Kind.state), ("/lock/", .lock), ("/unlock/", .unlock)]
        where path.hasPrefix(prefix) {
            self.kind = kind
            self.name = String(path.dropFirst(prefix.count))
            return
        }
        if path == "/state" || path == "/lock" || path == "/unlock" {
            self.kind = path == "/state" ? .state : path == "/lock" ? .lock : .unlock
            self.name = ""
            return
        }
        return nil
    }

    private var table: [(String, Action)] {
        switch self.kind {
        case .state:
            [
                ("GET", .read), ("HEAD", .read), ("POST", .write), ("PUT", .write), ("DELETE", .delete),
                ("LOCK", .lock), ("UNLOCK", .unlock),
            ]
        case .lock:
            [("LOCK", .lock), ("POST", .lock), ("PUT", .lock), ("UNLOCK", .unlock), ("DELETE", .unlock)]
        case .unlock:
            [("UNLOCK", .unlock), ("POST", .unlock), ("PUT", .unlock), ("DELETE", .unlock)]
        }
    }

    /// What `method` does here, or `nil` when it is not allowed.
    func action(for method: String) -> Action? {
        self.table.first { $0.0 == method }?.1
    }

    /// The metrics label for `method` here: `"lock"` for locking and unlocking, `"state"` for
    /// the rest (including methods that are not allowed).
    func routeClass(for method: String) -> String {
        switch self.action(for: method) {
        case .lock, .unlock: "lock"
        default: "state"
        }
    }

    /// The methods allowed here, for `Allow`.
    var allowedMethods: [String] { self.table.map(\.0) }
}
