import Domain
import SystemSupport

/// What a state body says about itself, read when it is written (never its values).
public struct StateMetadata: Equatable, Sendable {
    /// The `terraform_version` that wrote it.
    public let terraformVersion: String?
    /// The number of entries in `resources`.
    public let resourceCount: Int64?
    /// The names of its outputs, in document order.
    public let outputNames: [String]
    /// Whether it is an OpenTofu client-side encrypted envelope.
    public let encrypted: Bool

    /// Nothing known (versions stored before Statehouse recorded metadata).
    public static let unknown = StateMetadata(
        terraformVersion: nil, resourceCount: nil, outputNames: [], encrypted: false)

    /// Creates metadata.
    public init(terraformVersion: String?, resourceCount: Int64?, outputNames: [String], encrypted: Bool) {
        self.terraformVersion = terraformVersion
        self.resourceCount = resourceCount
        self.outputNames = outputNames
        self.encrypted = encrypted
    }

    /// The metadata of a parsed body.
    public init(_ header: StateHeader) {
        self.init(
            terraformVersion: header.terraformVersion, resourceCount: header.resourceCount.map(Int64.init),
            outputNames: header.outputNames, encrypted: header.encrypted)
    }
}

extension StateMetadata {
    /// The output names as a JSON array, the form stores keep them in.
    public var outputNamesJSON: String {
        "[" + self.outputNames.map(jsonStringLiteral).joined(separator: ",") + "]"
    }

    /// The output names from a stored JSON array.
    public static func outputNames(fromJSON text: String) throws -> [String] {
        let names = try JSONValue(parsing: Array(text.utf8)).arrayValue?.compactMap(\.stringValue)
        guard let names else { throw StoreError(.fault, "stored output names are not a JSON array") }
        return names
    }
}
