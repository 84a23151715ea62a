/// The lock a Terraform or OpenTofu client asks for: the JSON body of its LOCK request, kept
/// byte for byte and given back as it came to anyone who runs into the lock.
///
/// Clients send seven string fields (`ID`, `Operation`, `Info`, `Who`, `Version`, `Created`,
/// `Path`); only `ID` is required here, and any of the others present must be strings.
public struct LockInfo: Equatable, Sendable {
    /// The largest LOCK or UNLOCK body, in bytes. Terraform and OpenTofu send about 200.
    public static let maxBodyBytes = 8 << 10
    /// The longest lock ID accepted, in bytes.
    public static let maxIDLength = 256
    /// The longest value of each field, in bytes (UTF-8, escapes decoded). What the clients put
    /// there: a UUID, an operation name, `user@host`, a version, an RFC 3339 time, and `Info` and
    /// `Path`, which the http backend leaves empty.
    public static let fieldLimits: [String: Int] = [
        "ID": LockInfo.maxIDLength, "Operation": 256, "Info": 2048, "Who": 512, "Version": 128, "Created": 64,
        "Path": 2048,
    ]
    /// The seven fields of Terraform's LockInfo.
    public static let fields = Set(LockInfo.fieldLimits.keys)

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

    /// Parses and validates a LOCK or UNLOCK body: every field within its limit, and each of the
    /// seven keys at most once and spelt exactly, since Go's decoder would read `"id"` as `ID`.
    public init(json: [UInt8]) throws(DomainError) {
        try self.init(json, received: true)
    }

    /// Reads a lock as a store kept it, without the limits, which an older release did not have:
    /// a lock taken then must stay readable so that it can be released.
    public init(stored json: [UInt8]) throws(DomainError) {
        try self.init(json, received: false)
    }

    private init(_ json: [UInt8], received: Bool) throws(DomainError) {
        let values: [String: JSONObjectScanner.Value]
        do {
            values = try JSONObjectScanner.scan(json, keys: LockInfo.fields, unambiguous: received)
        } catch {
            throw DomainError.invalidInput(error.reason(for: "lock info"))
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
        for (key, value) in values.sorted(by: { $0.key < $1.key }) where key != "ID" {
            guard case .string(let text) = value else {
                throw DomainError.invalidInput("lock info \"\(key)\" must be a string")
            }
            if received, let limit = LockInfo.fieldLimits[key], text.utf8.count > limit {
                throw DomainError.invalidInput(
                    "lock info \"\(key)\" is \(text.utf8.count) bytes; at most \(limit) are accepted")
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
