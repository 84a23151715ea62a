/// The fields Statehouse reads from a state body: `serial` and `lineage`, which decide whether a
/// write is accepted, and a few descriptive ones shown when listing versions.
///
/// Everything else is opaque: the body is stored and served byte for byte. Terraform's v4 state
/// and OpenTofu's encrypted envelope (which has no `version` key) both carry `serial` and `lineage`.
public struct StateHeader: Equatable, Sendable {
    /// The write counter, raised by exactly 1 for each write of the same lineage.
    public let serial: Int64
    /// The UUID a state gets when it is first created.
    public let lineage: String
    /// The top-level `terraform_version`: the Terraform or OpenTofu release that wrote the state.
    public let terraformVersion: String?
    /// How many entries the top-level `resources` array has (resources, not instances).
    public let resourceCount: Int?
    /// The names of the root module's outputs, in document order.
    public let outputNames: [String]
    /// Whether the body is an OpenTofu client-side encrypted envelope (it has `encrypted_data`).
    /// Only `serial` and `lineage` are readable then; the other descriptive fields are empty.
    public let encrypted: Bool

    /// Creates a header.
    public init(
        serial: Int64, lineage: String, terraformVersion: String? = nil, resourceCount: Int? = nil,
        outputNames: [String] = [], encrypted: Bool = false
    ) {
        self.serial = serial
        self.lineage = lineage
        self.terraformVersion = terraformVersion
        self.resourceCount = resourceCount
        self.outputNames = outputNames
        self.encrypted = encrypted
    }

    /// Reads the header of a state body, checking that the whole body is one JSON object.
    public init(parsing body: [UInt8]) throws(DomainError) {
        self = try StateHeader.parse(body).header
    }

    /// `body` with the digits of its top-level `serial` replaced by `serial`, every other byte
    /// unchanged: how an older version's content is written again above the current serial.
    ///
    /// Refuses bodies that are not valid states, and encrypted ones, whose inner serial the
    /// server cannot change.
    public static func replacingSerial(in body: [UInt8], with serial: Int64) throws(DomainError) -> [UInt8] {
        guard serial >= 0 else {
            throw DomainError.invalidInput("state \"serial\" must be a whole number from 0 to \(Int64.max)")
        }
        let (header, range) = try StateHeader.parse(body)
        guard !header.encrypted else {
            throw DomainError.encrypted("the state is encrypted by OpenTofu; the server cannot change its serial")
        }
        var result = body
        result.replaceSubrange(range, with: String(serial).utf8)
        return result
    }

    /// The top-level keys the server reads, and `version`, which Terraform and OpenTofu read first
    /// to choose the state format. Each must appear once and be spelt exactly: Go's decoder
    /// matches keys case-insensitively and keeps the last, so `"SERIAL"` after `"serial"` would
    /// be the serial the client sees.
    static let keys: Set<String> = [
        "version", "serial", "lineage", "terraform_version", "resources", "outputs", "encrypted_data",
    ]

    /// The header of `body` and where the digits of its `serial` are, in one pass.
    private static func parse(_ body: [UInt8]) throws(DomainError) -> (header: StateHeader, serialRange: Range<Int>) {
        let fields: [String: JSONObjectScanner.Field]
        do {
            fields = try JSONObjectScanner.fields(body, keys: StateHeader.keys, unambiguous: true)
        } catch {
            throw DomainError.invalidInput(error.reason(for: "state"))
        }
        guard let serialField = fields["serial"], case .number(let text) = serialField.value else {
            throw DomainError.invalidInput("state has no numeric top-level \"serial\"")
        }
        guard let serial = Int64(text), serial >= 0 else {
            throw DomainError.invalidInput("state \"serial\" must be a whole number from 0 to \(Int64.max)")
        }
        guard case .string(let lineage) = fields["lineage"]?.value, !lineage.isEmpty else {
            throw DomainError.invalidInput("state has no top-level string \"lineage\"")
        }
        guard !lineage.utf8.contains(0) else {
            throw DomainError.invalidInput("state \"lineage\" contains a NUL character")
        }
        let header: StateHeader
        if fields["encrypted_data"] != nil {
            header = StateHeader(serial: serial, lineage: lineage, encrypted: true)
        } else {
            var terraformVersion: String?
            if case .string(let version) = fields["terraform_version"]?.value { terraformVersion = version }
            var resourceCount: Int?
            if case .array(let count) = fields["resources"]?.value { resourceCount = count }
            var outputNames: [String] = []
            if case .object(let keys) = fields["outputs"]?.value {
                // A repeated key is one output (the last value wins), listed where it first appears.
                var seen: Set<String> = []
                outputNames = keys.filter { seen.insert($0).inserted }
            }
            header = StateHeader(
                serial: serial, lineage: lineage, terraformVersion: terraformVersion, resourceCount: resourceCount,
                outputNames: outputNames)
        }
        return (header, serialField.range)
    }
}
