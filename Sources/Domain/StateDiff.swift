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

    /// Whether changes were left out to keep the diff within the size it was asked to stay under:
    /// `changedOutputs` and then `changedResources` hold the changes, in order, until the next one
    /// would not have fitted. Added and removed names are always complete.
    public let truncated: Bool

    /// Compares the state bodies `old` and `new`. Throws `.encrypted` if either is an OpenTofu
    /// encrypted envelope and `.invalidInput` if either is not a Terraform v4 state.
    ///
    /// Neither state is decoded as a whole: instances whose attributes are the same bytes on both
    /// sides are not decoded at all, and of the others only the attributes that differ. The
    /// changes reported hold at most `maxReportedBytes` of names, addresses and values (counted as
    /// the JSON text of the values as stored; a redacted value counts nothing); past it the diff
    /// is `truncated`.
    public init(from old: [UInt8], to new: [UInt8], maxReportedBytes: Int = .max) throws(DomainError) {
        self = try old.withUnsafeBufferPointer { (old) throws(DomainError) in
            try new.withUnsafeBufferPointer { (new) throws(DomainError) in
                let (before, after) = (try JSONDocument(old), try JSONDocument(new))
                return try StateDiff(StateIndex(before), StateIndex(after), budget: maxReportedBytes)
            }
        }
    }

    private init(_ before: StateIndex, _ after: StateIndex, budget: Int) throws(DomainError) {
        self.addedResources = after.instances.keys.filter { before.instances[$0] == nil }.sorted(by: inByteOrder)
        self.removedResources = before.instances.keys.filter { after.instances[$0] == nil }.sorted(by: inByteOrder)
        self.addedOutputs = after.outputs.keys.filter { before.outputs[$0] == nil }.sorted(by: inByteOrder)
        self.removedOutputs = before.outputs.keys.filter { after.outputs[$0] == nil }.sorted(by: inByteOrder)
        var remaining = budget
        var truncated = false

        var changedOutputs: [OutputChange] = []
        for name in before.outputs.keys.filter({ after.outputs[$0] != nil }).sorted(by: inByteOrder) {
            let (older, newer) = (before.outputs[name]!, after.outputs[name]!)
            guard !before.document.same(older.value, as: newer.value, in: after.document) else { continue }
            let olderValue = try before.document.value(older.value) ?? .null
            let newerValue = try after.document.value(newer.value) ?? .null
            guard olderValue != newerValue else { continue }
            let hidden = older.sensitive || newer.sensitive
            let cost = name.utf8.count + (hidden ? 0 : (older.value?.count ?? 0) + (newer.value?.count ?? 0))
            guard cost <= remaining else {
                truncated = true
                break
            }
            remaining -= cost
            changedOutputs.append(
                OutputChange(
                    name: name, before: Value(olderValue, hidden: hidden), after: Value(newerValue, hidden: hidden)))
        }

        var changedResources: [ResourceChange] = []
        let common = before.instances.keys.filter { after.instances[$0] != nil }.sorted(by: inByteOrder)
        for address in common where !truncated {
            let (older, newer) = (before.instances[address]!, after.instances[address]!)
            guard !before.document.same(older.attributes, as: newer.attributes, in: after.document) else { continue }
            let (attributes, cost) = try StateDiff.attributeChanges(older, before.document, newer, after.document)
            guard !attributes.isEmpty else { continue }
            guard address.utf8.count + cost <= remaining else {
                truncated = true
                break
            }
            remaining -= address.utf8.count + cost
            changedResources.append(ResourceChange(address: address, attributes: attributes))
        }
        self.changedOutputs = changedOutputs
        self.changedResources = changedResources
        self.truncated = truncated
    }

    /// The top-level attributes that differ between two states of one instance, by name, and the
    /// bytes they report. Only attributes whose bytes differ are decoded.
    private static func attributeChanges(
        _ older: StateIndex.Instance, _ old: JSONDocument, _ newer: StateIndex.Instance, _ new: JSONDocument
    ) throws(DomainError) -> (changes: [AttributeChange], cost: Int) {
        let before = try older.attributes.map { (range) throws(DomainError) in try old.members(range) ?? [:] } ?? [:]
        let after = try newer.attributes.map { (range) throws(DomainError) in try new.members(range) ?? [:] } ?? [:]
        let olderSensitivity = Sensitivity(try old.value(older.sensitiveAttributes))
        let newerSensitivity = Sensitivity(try new.value(newer.sensitiveAttributes))
        var changes: [AttributeChange] = []
        var cost = 0
        for name in Set(before.keys).union(after.keys).sorted(by: inByteOrder) {
            let (beforeRange, afterRange) = (before[name], after[name])
            guard !old.same(beforeRange, as: afterRange, in: new) else { continue }
            let (beforeValue, afterValue) = (try old.value(beforeRange), try new.value(afterRange))
            guard beforeValue != afterValue else { continue }
            let hidden = olderSensitivity.covers(name) || newerSensitivity.covers(name)
            cost += name.utf8.count + (hidden ? 0 : (beforeRange?.count ?? 0) + (afterRange?.count ?? 0))
            changes.append(
                AttributeChange(
                    path: name, before: Value(beforeValue, hidden: hidden), after: Value(afterValue, hidden: hidden)))
        }
        return (changes, cost)
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

/// Orders strings by their UTF-8 bytes, as `StateName` does.
private func inByteOrder(_ lhs: String, _ rhs: String) -> Bool { lhs.utf8.lexicographicallyPrecedes(rhs.utf8) }
