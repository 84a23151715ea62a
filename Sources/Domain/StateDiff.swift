/// What changed between two Terraform v4 states: resource instances and root outputs added,
/// removed and changed. Values Terraform marks sensitive are never kept, only the fact that they
/// changed.
///
/// Resource instances are compared by their top-level `attributes`: a nested difference is
/// reported against the top-level attribute holding it. Other instance fields (`schema_version`,
/// `dependencies`, `private`, …) are ignored.
public struct StateDiff: Equatable, Sendable {
    /// One side of a change.
    public enum Value: Equatable, Sendable {
        /// The value.
        case value(JSONValue)
        /// Not there on this side.
        case absent
        /// There, but sensitive: not shown.
        case sensitive
    }

    /// A top-level attribute of a resource instance that differs.
    public struct AttributeChange: Equatable, Sendable {
        /// The attribute's name.
        public let path: String
        /// Its value in the older state.
        public let before: Value
        /// Its value in the newer state.
        public let after: Value
    }

    /// A resource instance in both states whose attributes differ.
    public struct ResourceChange: Equatable, Sendable {
        /// The instance address, such as `module.net.aws_subnet.private["a"]`.
        public let address: String
        /// The attributes that differ, by name.
        public let attributes: [AttributeChange]
    }

    /// A root output in both states whose value differs.
    public struct OutputChange: Equatable, Sendable {
        /// The output's name.
        public let name: String
        /// Its value in the older state.
        public let before: Value
        /// Its value in the newer state.
        public let after: Value
    }

    /// Addresses of resource instances only in the newer state, sorted.
    public let addedResources: [String]
    /// Addresses of resource instances only in the older state, sorted.
    public let removedResources: [String]
    /// Resource instances in both whose attributes differ, by address.
    public let changedResources: [ResourceChange]
    /// Names of outputs only in the newer state, sorted.
    public let addedOutputs: [String]
    /// Names of outputs only in the older state, sorted.
    public let removedOutputs: [String]
    /// Outputs in both whose values differ, by name.
    public let changedOutputs: [OutputChange]

    /// Compares the state bodies `old` and `new`. Throws `.encrypted` if either is an OpenTofu
    /// encrypted envelope and `.invalidInput` if either is not a Terraform v4 state.
    public init(from old: [UInt8], to new: [UInt8]) throws(DomainError) {
        let before = try ParsedState(old)
        let after = try ParsedState(new)

        self.addedResources = after.instances.keys.filter { before.instances[$0] == nil }.sorted(by: inByteOrder)
        self.removedResources = before.instances.keys.filter { after.instances[$0] == nil }.sorted(by: inByteOrder)
        var changedResources: [ResourceChange] = []
        for (address, older) in before.instances {
            guard let newer = after.instances[address] else { continue }
            let attributes = StateDiff.attributeChanges(older, newer)
            if !attributes.isEmpty {
                changedResources.append(ResourceChange(address: address, attributes: attributes))
            }
        }
        self.changedResources = changedResources.sorted { inByteOrder($0.address, $1.address) }

        self.addedOutputs = after.outputs.keys.filter { before.outputs[$0] == nil }.sorted(by: inByteOrder)
        self.removedOutputs = before.outputs.keys.filter { after.outputs[$0] == nil }.sorted(by: inByteOrder)
        var changedOutputs: [OutputChange] = []
        for (name, older) in before.outputs {
            guard let newer = after.outputs[name], older.value != newer.value else { continue }
            let hidden = older.sensitive || newer.sensitive
            changedOutputs.append(
                OutputChange(
                    name: name, before: Value(older.value, hidden: hidden), after: Value(newer.value, hidden: hidden)))
        }
        self.changedOutputs = changedOutputs.sorted { inByteOrder($0.name, $1.name) }
    }

    /// The top-level attributes that differ between two states of one instance, by name.
    private static func attributeChanges(_ older: Instance, _ newer: Instance) -> [AttributeChange] {
        var changes: [AttributeChange] = []
        for name in Set(older.attributes.keys).union(newer.attributes.keys).sorted(by: inByteOrder) {
            let before = older.attributes[name]
            let after = newer.attributes[name]
            guard before != after else { continue }
            let hidden = older.sensitivity.covers(name) || newer.sensitivity.covers(name)
            changes.append(
                AttributeChange(path: name, before: Value(before, hidden: hidden), after: Value(after, hidden: hidden)))
        }
        return changes
    }
}

extension StateDiff.Value {
    /// `value` as one side of a change: hidden if sensitive, absent if missing.
    fileprivate init(_ value: JSONValue?, hidden: Bool) {
        guard let value else {
            self = .absent
            return
        }
        self = hidden ? .sensitive : .value(value)
    }
}

/// Which top-level attributes of an instance Terraform marked sensitive.
private enum Sensitivity {
    /// Every attribute, because `sensitive_attributes` was not understood.
    case all
    /// The named attributes.
    case attributes(Set<String>)

    /// Reads an instance's `sensitive_attributes`: a list of paths, each a list of steps such as
    /// `{"type":"get_attr","value":"password"}`. A path's first step names the top-level attribute.
    init(_ paths: JSONValue?) {
        switch paths {
        case nil, .null?:
            self = .attributes([])
        case .array(let paths)?:
            var names: Set<String> = []
            for path in paths {
                guard case .array(let steps) = path, let first = steps.first, first["type"] == .string("get_attr"),
                    let name = first["value"]?.stringValue
                else {
                    self = .all
                    return
                }
                names.insert(name)
            }
            self = .attributes(names)
        default:
            self = .all
        }
    }

    /// Whether the attribute `name` is sensitive.
    func covers(_ name: String) -> Bool {
        switch self {
        case .all: true
        case .attributes(let names): names.contains(name)
        }
    }
}

/// One resource instance (or deposed object) as the diff sees it.
private struct Instance {
    let attributes: [String: JSONValue]
    let sensitivity: Sensitivity
}

/// One root output as the diff sees it.
private struct Output {
    let value: JSONValue
    let sensitive: Bool
}

/// The parts of a v4 state that the diff compares.
private struct ParsedState {
    /// Instances by address.
    var instances: [String: Instance] = [:]
    /// Outputs by name.
    var outputs: [String: Output] = [:]

    init(_ body: [UInt8]) throws(DomainError) {
        guard case .object(let state) = try JSONValue(parsing: body) else {
            throw DomainError.invalidInput("state is not a JSON object")
        }
        guard state["encrypted_data"] == nil else {
            throw DomainError.encrypted("the state is encrypted by OpenTofu; the server cannot read its content")
        }
        for resource in try list(state["resources"], "\"resources\"") {
            try self.add(resource)
        }
        switch state["outputs"] {
        case nil, .null?:
            break
        case .object(let outputs)?:
            for (name, output) in outputs {
                guard case .object(let fields) = output else { throw invalid("output \(hclQuoted(name))") }
                self.outputs[name] = Output(
                    value: fields["value"] ?? .null, sensitive: fields["sensitive"] == .bool(true))
            }
        default:
            throw invalid("\"outputs\"")
        }
    }

    /// Adds the instances of one element of `resources`, addressed as Terraform does.
    private mutating func add(_ resource: JSONValue) throws(DomainError) {
        guard let type = resource["type"]?.stringValue, let name = resource["name"]?.stringValue else {
            throw invalid("a resource without a string \"type\" and \"name\"")
        }
        let mode: String
        switch resource["mode"] {
        case .string("managed")?: mode = ""
        case .string("data")?: mode = "data."
        default: throw invalid("the \"mode\" of resource \(type).\(name)")
        }
        let module: String
        switch resource["module"] {
        case nil, .null?, .string("")?: module = ""
        case .string(let path)?: module = path + "."
        default: throw invalid("the \"module\" of resource \(type).\(name)")
        }
        let base = module + mode + type + "." + name
        for instance in try list(resource["instances"], "the \"instances\" of \(base)") {
            guard case .object = instance else { throw invalid("an instance of \(base)") }
            let key: String
            switch instance["index_key"] {
            case nil, .null?: key = ""
            case .number(let number)?: key = "[\(number)]"
            case .string(let text)?: key = "[\(hclQuoted(text))]"
            default: throw invalid("an \"index_key\" of \(base)")
            }
            let deposed: String
            switch instance["deposed"] {
            case nil, .null?, .string("")?: deposed = ""
            case .string(let id)?: deposed = " (deposed \(id))"
            default: throw invalid("a \"deposed\" of \(base)")
            }
            let attributes: [String: JSONValue]
            switch instance["attributes"] {
            case nil, .null?: attributes = [:]
            case .object(let members)?: attributes = members
            default: throw invalid("the \"attributes\" of \(base + key)")
            }
            self.instances[base + key + deposed] = Instance(
                attributes: attributes, sensitivity: Sensitivity(instance["sensitive_attributes"]))
        }
    }
}

/// The elements of an optional array; `what` names it in the error.
private func list(_ value: JSONValue?, _ what: String) throws(DomainError) -> [JSONValue] {
    switch value {
    case nil, .null?: return []
    case .array(let elements)?: return elements
    default: throw invalid(what)
    }
}

/// The error for a part of a state that is not as Terraform v4 writes it.
private func invalid(_ what: String) -> DomainError {
    DomainError.invalidInput("state is not a Terraform v4 state: \(what) is malformed")
}

/// Orders strings by their UTF-8 bytes, as `StateName` does.
private func inByteOrder(_ lhs: String, _ rhs: String) -> Bool { lhs.utf8.lexicographicallyPrecedes(rhs.utf8) }

/// `text` as an HCL quoted string, the way Terraform writes a string index key in an address
/// (`aws_subnet.private["a"]`, its `toHCLQuotedString`): quotes, backslashes and line ends
/// escaped, `${` and `%{` written `$${` and `%%{`, other control characters as `\uXXXX`.
private func hclQuoted(_ text: String) -> String {
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
