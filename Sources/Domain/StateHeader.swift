/// The two fields Statehouse reads from a state body: `serial` and `lineage`.
///
/// Everything else is opaque: the body is stored and served byte for byte. Terraform's v4 state
/// and OpenTofu's encrypted envelope (which has no `version` key) both carry these two.
public struct StateHeader: Equatable, Sendable {
    /// The write counter, raised by exactly 1 for each write of the same lineage.
    public let serial: Int64
    /// The UUID a state gets when it is first created.
    public let lineage: String

    /// Creates a header.
    public init(serial: Int64, lineage: String) {
        self.serial = serial
        self.lineage = lineage
    }

    /// Reads `serial` and `lineage` from a state body, checking that the whole body is one JSON object.
    public init(parsing body: [UInt8]) throws(DomainError) {
        let values: [String: JSONObjectScanner.Value]
        do {
            values = try JSONObjectScanner.scan(body, keys: ["serial", "lineage"])
        } catch {
            throw DomainError.invalidInput("state is not a JSON object: \(error.message) at byte \(error.offset)")
        }
        guard case .number(let text) = values["serial"] else {
            throw DomainError.invalidInput("state has no numeric top-level \"serial\"")
        }
        guard let serial = Int64(text), serial >= 0 else {
            throw DomainError.invalidInput("state \"serial\" must be a whole number from 0 to \(Int64.max)")
        }
        guard case .string(let lineage) = values["lineage"], !lineage.isEmpty else {
            throw DomainError.invalidInput("state has no top-level string \"lineage\"")
        }
        guard !lineage.utf8.contains(0) else {
            throw DomainError.invalidInput("state \"lineage\" contains a NUL character")
        }
        self.init(serial: serial, lineage: lineage)
    }
}
