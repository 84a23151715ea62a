/// What a principal may do with a state. Each level includes the ones below it.
public enum Access: Int, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    /// GET.
    case read = 1
    /// Write, lock and unlock (including Terraform's force-unlock by empty body).
    case write = 2
    /// Delete and other force actions.
    case admin = 3

    /// Orders by power.
    public static func < (lhs: Access, rhs: Access) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The level named `read`, `write` or `admin`; `nil` for any other text.
    public init?(level: String?) {
        guard let access = Access.allCases.first(where: { $0.description == level }) else { return nil }
        self = access
    }

    /// `read`, `write` or `admin`.
    public var description: String {
        switch self {
        case .read: "read"
        case .write: "write"
        case .admin: "admin"
        }
    }
}
