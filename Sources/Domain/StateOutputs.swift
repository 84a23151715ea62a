/// The root outputs of a Terraform v4 state as a person reads them: each one's name, its type in
/// Terraform's syntax, whether it is sensitive and, only when it is not, its value's JSON text.
///
/// Only the `outputs` member is read: resources are skipped, and a value is never decoded, only
/// copied without its whitespace up to a bound.
public struct StateOutputs: Equatable, Sendable {
    /// One root output.
    public struct Output: Equatable, Sendable {
        /// Its name.
        public let name: String
        /// Its type in Terraform's syntax, such as `list(string)` or `object({a=string})`; past
        /// `maxTypeBytes`, cut and ended with `…`.
        public let type: String
        /// Whether Terraform marked it sensitive.
        public let sensitive: Bool
        /// Its value as compact JSON text, at most the bound it was read with; `nil` when sensitive.
        public let value: String?
        /// Whether `value` was cut at the bound (it is then not valid JSON on its own).
        public let truncated: Bool

        /// Creates an output.
        public init(name: String, type: String, sensitive: Bool, value: String?, truncated: Bool) {
            self.name = name
            self.type = type
            self.sensitive = sensitive
            self.value = value
            self.truncated = truncated
        }
    }

    /// The longest type description, in bytes.
    public static let maxTypeBytes = 80
    /// The most of a value's JSON text kept by default, in bytes.
    public static let defaultMaxValueBytes = 1024

    /// The outputs, by name in byte order.
    public let outputs: [Output]
    /// Whether the state is an OpenTofu encrypted envelope, whose outputs the server cannot read.
    public let encrypted: Bool

    /// What an encrypted state shows: no outputs.
    public static let encryptedState = StateOutputs(outputs: [], encrypted: true)

    private init(outputs: [Output], encrypted: Bool) {
        self.outputs = outputs
        self.encrypted = encrypted
    }

    /// Reads the outputs of the state body `state`, keeping at most `maxValueBytes` of each value.
    /// An OpenTofu encrypted envelope gives `encryptedState`; anything that is not a Terraform v4
    /// state's `outputs` throws `.invalidInput` naming what is wrong.
    public init(state: [UInt8], maxValueBytes: Int = defaultMaxValueBytes) throws(DomainError) {
        self = try state.withUnsafeBufferPointer { (bytes) throws(DomainError) in
            try StateOutputs(JSONDocument(bytes), maxValueBytes: maxValueBytes)
        }
    }

    private init(_ document: JSONDocument, maxValueBytes: Int) throws(DomainError) {
        guard let state = try document.members(document.root) else {
            throw DomainError.invalidInput("state is not a JSON object")
        }
        guard state["encrypted_data"] == nil else {
            self = .encryptedState
            return
        }
        guard let range = state["outputs"], !document.isNull(range) else {
            self.init(outputs: [], encrypted: false)
            return
        }
        guard let members = try document.members(range) else { throw invalid("\"outputs\"") }
        var outputs: [Output] = []
        for (name, output) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            let what = "output \(hclQuoted(name))"
            guard let fields = try document.members(output) else { throw invalid(what) }
            let sensitive: Bool
            switch try document.value(fields["sensitive"]) {
            case nil, .null?, .bool(false)?: sensitive = false
            case .bool(true)?: sensitive = true
            default: throw invalid("the \"sensitive\" of \(what)")
            }
            guard let type = try document.value(fields["type"]) else { throw invalid("the \"type\" of \(what)") }
            var writer = TypeWriter()
            guard writer.write(type) else { throw invalid("the \"type\" of \(what)") }
            guard let value = fields["value"] else { throw invalid("the \"value\" of \(what)") }
            let text = sensitive ? nil : compactJSON(document.bytes[value], maxBytes: maxValueBytes)
            outputs.append(
                Output(
                    name: name, type: writer.description, sensitive: sensitive, value: text?.text,
                    truncated: text?.truncated ?? false))
        }
        self.init(outputs: outputs, encrypted: false)
    }
}

/// Writes a type as Terraform's `typeexpr.TypeString` does (`object({a=string,b=number})`,
/// `tuple([string,bool])`, `any` for `dynamic`), from its JSON form in a state (`"string"`,
/// `["list","string"]`, `["object",{"a":"string"}]`). Stops adding once past `maxTypeBytes`.
private struct TypeWriter {
    private var text = ""

    /// The type, cut to `maxTypeBytes` with `…` when longer.
    var description: String {
        guard self.text.utf8.count > StateOutputs.maxTypeBytes else { return self.text }
        var cut = ""
        for character in self.text {
            guard cut.utf8.count + character.utf8.count <= StateOutputs.maxTypeBytes - "…".utf8.count else { break }
            cut.append(character)
        }
        return cut + "…"
    }

    /// Appends `type`; `false` when it is not a type as Terraform writes one.
    mutating func write(_ type: JSONValue) -> Bool {
        guard self.text.utf8.count <= StateOutputs.maxTypeBytes else { return true }
        switch type {
        case .string("string"), .string("number"), .string("bool"):
            self.text += type.stringValue!
            return true
        case .string("dynamic"):
            self.text += "any"
            return true
        case .array(let parts):
            switch (parts.first?.stringValue, parts.count) {
            case ("list", 2), ("set", 2), ("map", 2):
                self.text += parts[0].stringValue! + "("
                guard self.write(parts[1]) else { return false }
                self.text += ")"
                return true
            case ("tuple", 2):
                guard let elements = parts[1].arrayValue else { return false }
                self.text += "tuple(["
                for (index, element) in elements.enumerated() {
                    if index > 0 { self.text += "," }
                    guard self.write(element) else { return false }
                }
                self.text += "])"
                return true
            case ("object", 2), ("object", 3):
                guard case .object(let attributes) = parts[1] else { return false }
                var optional: Set<String> = []
                if parts.count == 3 {
                    guard let names = parts[2].arrayValue?.compactMap(\.stringValue),
                        names.count == parts[2].arrayValue?.count
                    else { return false }
                    optional = Set(names)
                }
                self.text += "object({"
                let names = attributes.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                for (index, name) in names.enumerated() {
                    if index > 0 { self.text += "," }
                    self.text += isIdentifier(name) ? name : hclQuoted(name)
                    self.text += "=" + (optional.contains(name) ? "optional(" : "")
                    guard self.write(attributes[name]!) else { return false }
                    self.text += optional.contains(name) ? ")" : ""
                }
                self.text += "})"
                return true
            default:
                return false
            }
        default:
            return false
        }
    }
}

/// Whether `name` is written bare in an object type: an ASCII identifier as HCL reads one.
private func isIdentifier(_ name: String) -> Bool {
    guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
    return name.utf8.allSatisfy { byte in
        isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-")
    }
}

private func isLetter(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
}

/// The valid JSON value `bytes` without the whitespace between its tokens, cut at `maxBytes`
/// (never inside a UTF-8 sequence).
private func compactJSON(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, maxBytes: Int) -> (
    text: String, truncated: Bool
) {
    var out: [UInt8] = []
    out.reserveCapacity(min(bytes.count, maxBytes))
    var inString = false
    var escaped = false
    for byte in bytes {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
        } else {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): continue
            case UInt8(ascii: "\""): inString = true
            default: break
            }
        }
        guard out.count < maxBytes else {
            // Drop a multi-byte character the cut would split.
            if let lead = out.lastIndex(where: { $0 & 0xC0 != 0x80 }) {
                let length = out[lead] < 0x80 ? 1 : out[lead] >= 0xF0 ? 4 : out[lead] >= 0xE0 ? 3 : 2
                if lead + length > out.count { out.removeSubrange(lead...) }
            }
            return (String(decoding: out, as: UTF8.self), true)
        }
        out.append(byte)
    }
    return (String(decoding: out, as: UTF8.self), false)
}

/// The error for a part of the outputs that is not as Terraform v4 writes it.
private func invalid(_ what: String) -> DomainError {
    DomainError.invalidInput("state is not a Terraform v4 state: \(what) is malformed")
}
