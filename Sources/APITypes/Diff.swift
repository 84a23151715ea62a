/// `GET /api/v1/states/{name}/diff`: resources and outputs added, removed and changed between two
/// versions. A side that is absent is `null`; a sensitive one is the string `"(sensitive)"`.
public struct Diff: Codable, Equatable, Sendable {
    /// One changed top-level attribute of a resource instance.
    public struct AttributeChange: Codable, Equatable, Sendable {
        /// The attribute's name.
        public var path: String
        /// Its value in the older version.
        public var before: JSONValue
        /// Its value in the newer version.
        public var after: JSONValue

        /// Creates a change.
        public init(path: String, before: JSONValue, after: JSONValue) {
            self.path = path
            self.before = before
            self.after = after
        }
    }

    /// A resource instance in both versions whose attributes differ.
    public struct ResourceChange: Codable, Equatable, Sendable {
        /// The instance address, such as `module.net.aws_subnet.private["a"]`.
        public var address: String
        /// The attributes that differ, by name.
        public var attributes: [AttributeChange]

        /// Creates a change.
        public init(address: String, attributes: [AttributeChange]) {
            self.address = address
            self.attributes = attributes
        }
    }

    /// A root output in both versions whose value differs.
    public struct OutputChange: Codable, Equatable, Sendable {
        /// The output's name.
        public var name: String
        /// Its value in the older version.
        public var before: JSONValue
        /// Its value in the newer version.
        public var after: JSONValue

        /// Creates a change.
        public init(name: String, before: JSONValue, after: JSONValue) {
            self.name = name
            self.before = before
            self.after = after
        }
    }

    /// Resource instances added, removed and changed.
    public struct Resources: Codable, Equatable, Sendable {
        /// Addresses only in the newer version.
        public var added: [String]
        /// Addresses only in the older version.
        public var removed: [String]
        /// Instances in both whose attributes differ.
        public var changed: [ResourceChange]

        /// Creates the resource changes.
        public init(added: [String], removed: [String], changed: [ResourceChange]) {
            self.added = added
            self.removed = removed
            self.changed = changed
        }
    }

    /// Root outputs added, removed and changed.
    public struct Outputs: Codable, Equatable, Sendable {
        /// Names only in the newer version.
        public var added: [String]
        /// Names only in the older version.
        public var removed: [String]
        /// Outputs in both whose values differ.
        public var changed: [OutputChange]

        /// Creates the output changes.
        public init(added: [String], removed: [String], changed: [OutputChange]) {
            self.added = added
            self.removed = removed
            self.changed = changed
        }
    }

    /// The older version's number.
    public var from: Int64
    /// The newer version's number.
    public var to: Int64
    /// What changed in resources.
    public var resources: Resources
    /// What changed in outputs.
    public var outputs: Outputs
    /// Whether changed outputs and resources were left out to keep the answer within the server's
    /// limit: the `changed` lists then hold the changes, outputs first and then resources, each in
    /// name order, up to the first one that did not fit. `added` and `removed` are always complete.
    /// A missing member (an older server) reads as `false`.
    public var truncated: Bool

    /// Creates a diff.
    public init(from: Int64, to: Int64, resources: Resources, outputs: Outputs, truncated: Bool = false) {
        self.from = from
        self.to = to
        self.resources = resources
        self.outputs = outputs
        self.truncated = truncated
    }

    private enum CodingKeys: String, CodingKey {
        case from, to, resources, outputs, truncated
    }

    /// Reads a diff; `truncated` may be missing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.from = try container.decode(Int64.self, forKey: .from)
        self.to = try container.decode(Int64.self, forKey: .to)
        self.resources = try container.decode(Resources.self, forKey: .resources)
        self.outputs = try container.decode(Outputs.self, forKey: .outputs)
        self.truncated = try container.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
    }
}
