/// What an UNLOCK asks for.
public enum UnlockRequest: Equatable, Sendable {
    /// An empty body: Terraform's `force-unlock` (and OpenTofu before 1.10). Releases any holder.
    case force
    /// A body naming the lock to release. Only its `ID` is compared: OpenTofu's force-unlock
    /// sends the ID with every other field blank.
    case id(String)

    /// Reads an UNLOCK body.
    public init(body: [UInt8]) throws(DomainError) {
        if body.isEmpty {
            self = .force
            return
        }
        self = .id(try LockInfo(json: body).id)
    }
}
