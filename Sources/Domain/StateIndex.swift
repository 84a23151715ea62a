/// Where the parts of a Terraform v4 state that a diff compares are in its bytes: each resource
/// instance by its address and each root output by its name. Only the few fields that make up an
/// address are decoded; attributes and values stay as byte ranges of `document`.
struct StateIndex {
    /// One resource instance (or deposed object).
    struct Instance {
        /// Its `attributes` object; `nil` when they are `null` or missing.
        let attributes: Range<Int>?
        /// Its `sensitive_attributes`, if there are any.
        let sensitiveAttributes: Range<Int>?
    }

    /// One root output.
    struct Output {
        /// Its `value`, if there is one.
        let value: Range<Int>?
        /// Whether Terraform marked it sensitive.
        let sensitive: Bool
    }

    /// The state's bytes.
    let document: JSONDocument
    /// The instances by address.
    private(set) var instances: [String: Instance] = [:]
    /// The outputs by name.
    private(set) var outputs: [String: Output] = [:]

    /// Indexes `document`. Throws `.encrypted` for an OpenTofu encrypted envelope and
    /// `.invalidInput` for anything that is not a Terraform v4 state.
    init(_ document: JSONDocument) throws(DomainError) {
        self.document = document
        guard let state = try document.members(document.root) else {
            throw DomainError.invalidInput("state is not a JSON object")
        }
        guard state["encrypted_data"] == nil else {
            throw DomainError.encrypted("the state is encrypted by OpenTofu; the server cannot read its content")
        }
        for resource in try self.list(state["resources"], "\"resources\"") {
            try self.add(resource)
        }
        guard let outputs = state["outputs"], !document.isNull(outputs) else { return }
        guard let members = try document.members(outputs) else { throw invalid("\"outputs\"") }
        for (name, output) in members {
            guard let fields = try document.members(output) else { throw invalid("output \(hclQuoted(name))") }
            self.outputs[name] = Output(
                value: fields["value"], sensitive: try document.value(fields["sensitive"]) == .bool(true))
        }
    }

    /// Adds the instances of one element of `resources`, addressed as Terraform does.
    private mutating func add(_ resource: Range<Int>) throws(DomainError) {
        let document = self.document
        let fields = try document.members(resource) ?? [:]
        guard let type = try document.value(fields["type"])?.stringValue,
            let name = try document.value(fields["name"])?.stringValue
        else {
            throw invalid("a resource without a string \"type\" and \"name\"")
        }
        let mode: String
        switch try document.value(fields["mode"]) {
        case .string("managed")?: mode = ""
        case .string("data")?: mode = "data."
        default: throw invalid("the \"mode\" of resource \(type).\(name)")
        }
        let module: String
        switch try document.value(fields["module"]) {
        case nil, .null?, .string("")?: module = ""
        case .string(let path)?: module = path + "."
        default: throw invalid("the \"module\" of resource \(type).\(name)")
        }
        let base = module + mode + type + "." + name
        for instance in try self.list(fields["instances"], "the \"instances\" of \(base)") {
            guard let members = try document.members(instance) else { throw invalid("an instance of \(base)") }
            let key: String
            switch try document.value(members["index_key"]) {
            case nil, .null?: key = ""
            case .number(let number)?: key = "[\(number)]"
            case .string(let text)?: key = "[\(hclQuoted(text))]"
            default: throw invalid("an \"index_key\" of \(base)")
            }
            let deposed: String
            switch try document.value(members["deposed"]) {
            case nil, .null?, .string("")?: deposed = ""
            case .string(let id)?: deposed = " (deposed \(id))"
            default: throw invalid("a \"deposed\" of \(base)")
            }
            var attributes = members["attributes"]
            if let range = attributes, !document.isObject(range) {
                guard document.isNull(range) else { throw invalid("the \"attributes\" of \(base + key)") }
                attributes = nil
            }
            self.instances[base + key + deposed] = Instance(
                attributes: attributes, sensitiveAttributes: members["sensitive_attributes"])
        }
    }

    /// The elements of an optional array; `what` names it in the error.
    private func list(_ range: Range<Int>?, _ what: String) throws(DomainError) -> [Range<Int>] {
        guard let range, !self.document.isNull(range) else { return [] }
        guard let elements = try self.document.elements(range) else { throw invalid(what) }
        return elements
    }
}

/// The error for a part of a state that is not as Terraform v4 writes it.
private func invalid(_ what: String) -> DomainError {
    DomainError.invalidInput("state is not a Terraform v4 state: \(what) is malformed")
}

/// `text` as an HCL quoted string, the way Terraform writes a string index key in an address
/// (`aws_subnet.private["a"]`, its `toHCLQuotedString`): quotes, backslashes and line ends
/// escaped, `${` and `%{` written `$${` and `%%{`, other control characters as `\uXXXX`.
func hclQuoted(_ text: String) -> String {
    var out = "\""
    let scalars = Array(text.unicodeScalars)
    for (index, scalar) in scalars.enumerated() {
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "$", "%":
            out.unicodeScalars.append(scalar)
            if index + 1 < scalars.count && scalars[index + 1] == "{" { out.unicodeScalars.append(scalar) }
        case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default:
            out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
