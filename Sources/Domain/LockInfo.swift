/// The lock a Terraform or OpenTofu client asks for: the JSON body of its LOCK request, kept
/// byte for byte and given back as it came to anyone who runs into the lock.
///
/// Clients send seven string fields (`ID`, `Operation`, `Info`, `Who`, `Version`, `Created`,
/// `Path`); only `ID` is required here, and any of the others present must be strings.
public struct LockInfo: Equatable, Sendable {
    /// The longest lock ID accepted, in bytes.
    public static let maxIDLength = 256
    /// The seven fields of Terraform's LockInfo.
    public static let fields: Set<String> = ["ID", "Operation", "Info", "Who", "Version", "Created", "Path"]

    /// The lock ID, which the client sends back as `?ID=` on writes and in its UNLOCK body.
    public let id: String
    /// What the holder is doing, such as `OperationTypeApply`.
    public let operation: String
    /// Who holds it, as `user@host`.
    public let who: String
    /// When the client says it took the lock (RFC 3339, as sent).
    public let created: String
    /// The client's free-form `Info`.
    public let info: String
    /// The client's version (`Version`).
    public let version: String
    /// The state's path as the client sees it (`Path`).
    public let path: String
    /// The body exactly as received.
    public let json: [UInt8]

    /// Parses and validates a LOCK body.
    public init(json: [UInt8]) throws(DomainError) {
        let values: [String: JSONObjectScanner.Value]
        do {
            values = try JSONObjectScanner.scan(json, keys: LockInfo.fields)
        } catch {
            throw DomainError.invalidInput("lock info is not a JSON object: \(error.message) at byte \(error.offset)")
        }
        guard case .string(let id) = values["ID"] else {
            throw DomainError.invalidInput("lock info needs a string \"ID\"")
        }
        guard !id.isEmpty, id.utf8.count <= LockInfo.maxIDLength else {
            throw DomainError.invalidInput("lock info \"ID\" must be 1 to \(LockInfo.maxIDLength) bytes")
        }
        guard !id.utf8.contains(0) else {
            throw DomainError.invalidInput("lock info \"ID\" contains a NUL character")
        }
        for (key, value) in values where key != "ID" {
            guard case .string = value else {
                throw DomainError.invalidInput("lock info \"\(key)\" must be a string")
            }
        }
        func text(_ key: String) -> String {
            if case .string(let value) = values[key] { return value }
            return ""
        }
        self.id = id
        self.operation = text("Operation")
        self.who = text("Who")
        self.created = text("Created")
        self.info = text("Info")
        self.version = text("Version")
        self.path = text("Path")
        self.json = json
    }
}
