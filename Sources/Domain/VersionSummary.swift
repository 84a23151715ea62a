/// What the latest stored version looks like, as far as the write rules care.
public struct VersionSummary: Equatable, Sendable {
    /// Its serial.
    public let serial: Int64
    /// Its lineage.
    public let lineage: String
    /// The SHA-256 of its bytes.
    public let sha256: [UInt8]

    /// Creates a summary.
    public init(serial: Int64, lineage: String, sha256: [UInt8]) {
        self.serial = serial
        self.lineage = lineage
        self.sha256 = sha256
    }
}
