/// `GET /api/v1/states/{name}/outputs`: the root outputs of a state's current version. A sensitive
/// output's value is never sent, only its name and type.
public struct OutputList: Codable, Equatable, Sendable {
    /// One root output.
    public struct Output: Codable, Equatable, Sendable {
        /// Its name.
        public var name: String
        /// Its type in Terraform's syntax, such as `list(string)`; long ones end with `…`.
        public var type: String
        /// Whether Terraform marked it sensitive.
        public var sensitive: Bool
        /// Its value as compact JSON text, at most 1 KiB; `null` when sensitive.
        @Nullable public var value: String?
        /// Whether `value` was cut at 1 KiB (it is then not valid JSON on its own).
        public var truncated: Bool

        /// Creates an output.
        public init(name: String, type: String, sensitive: Bool, value: String?, truncated: Bool) {
            self.name = name
            self.type = type
            self.sensitive = sensitive
            self.value = value
            self.truncated = truncated
        }
    }

    /// The outputs, by name.
    public var outputs: [Output]
    /// The version they are from.
    public var version: Int64
    /// Whether the state is encrypted by OpenTofu, so that its outputs cannot be read (`outputs`
    /// is then empty).
    public var encrypted: Bool

    /// Creates a list.
    public init(outputs: [Output], version: Int64, encrypted: Bool) {
        self.outputs = outputs
        self.version = version
        self.encrypted = encrypted
    }
}
