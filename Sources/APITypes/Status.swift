/// `{"status": …}`: `/healthz` (`ok`), `/readyz` (`ready`).
public struct Status: Codable, Equatable, Sendable {
    /// The status word.
    public var status: String

    /// Creates a status.
    public init(status: String) {
        self.status = status
    }
}
