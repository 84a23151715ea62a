import Domain
import Foundation

extension FuzzTarget {
    /// Any bytes as a state body.
    public static let stateHeader = FuzzTarget(name: "FuzzStateHeader", property: StateHeaderProperty.check)
}

/// What `StateHeader` promises: what it accepts, two full JSON parsers read the same way (serial,
/// lineage and the descriptive fields); what it refuses is not a valid state or has a key Go would
/// read differently; a key Go reads as one of those it reads is refused wherever it is added;
/// and `replacingSerial` changes the serial and nothing else.
enum StateHeaderProperty {
    /// The top-level keys whose spelling the scanner checks (`StateHeader.keys`).
    static let keys = ["version", "serial", "lineage", "terraform_version", "resources", "outputs", "encrypted_data"]

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let reference = JSONReference(input)
        let header: StateHeader
        do {
            header = try StateHeader(parsing: input)
        } catch {
            try self.checkRefusal(error, reference)
            return
        }
        guard !reference.tooDeep else { return }
        try self.checkAgreement(header, reference)
        var generator = SplitMix64(seededBy: input)
        try GoSpelling.checkRefused(
            input, keys: self.keys, present: { reference.object?[$0] != nil }, generator: &generator,
            parse: { (document) throws(DomainError) in _ = try StateHeader(parsing: document) })
        try self.checkReplacingSerial(input, header, reference)
    }

    /// A refused body is not a state by `JSONValue`, or has a key Go would read differently.
    static func checkRefusal(_ error: DomainError, _ reference: JSONReference) throws(PropertyViolation) {
        guard let object = reference.object else { return }
        try require(!error.description.contains("is not a JSON object"), "JSONValue reads an object, but: \(error)")
        guard case .number(let digits) = object["serial"], let serial = Int64(digits), serial >= 0,
            case .string(let lineage) = object["lineage"], !lineage.isEmpty, !lineage.utf8.contains(0)
        else { return }
        try require(
            error.description.contains("Go matches JSON keys") || error.description.contains("twice"),
            "a state with serial \(serial) and lineage \(lineage.debugDescription) refused: \(error)")
    }

    /// An accepted body reads the same by `JSONValue` and `JSONSerialization`.
    static func checkAgreement(_ header: StateHeader, _ reference: JSONReference) throws(PropertyViolation) {
        guard reference.isObject, let object = reference.object else {
            throw PropertyViolation(description: "accepted \(header), which is not a JSON object: \(reference)")
        }
        if let foundation = reference.foundationObject {
            try require(
                (foundation["serial"] as? NSNumber)?.int64Value == header.serial,
                "serial \(header.serial) but JSONSerialization reads \(String(describing: foundation["serial"]))")
        }
        guard case .number(let digits) = object["serial"], Int64(digits) == header.serial else {
            throw PropertyViolation(
                description: "serial \(header.serial) but JSONValue reads \(String(describing: object["serial"]))")
        }
        try require(reference.hasString("lineage", header.lineage), "lineage \(header.lineage) read otherwise")
        try require(
            header.encrypted == (object["encrypted_data"] != nil),
            "encrypted \(header.encrypted) with \(String(describing: object["encrypted_data"]))")
        guard !header.encrypted else { return }
        if let version = header.terraformVersion {
            try require(
                reference.hasString("terraform_version", version), "terraform_version \(version) read otherwise")
        } else {
            try require(object["terraform_version"]?.stringValue == nil, "terraform_version missed")
        }
        try require(
            header.resourceCount == object["resources"]?.arrayValue?.count,
            "\(String(describing: header.resourceCount)) resources for \(String(describing: object["resources"]))")
        // As Strings, canonically equivalent names are one output, in the header and in both parsers.
        let names = Set(header.outputNames)
        var outputs: Set<String> = []
        if case .object(let members) = object["outputs"] { outputs = Set(members.keys) }
        try require(
            header.outputNames.count == names.count && names == outputs,
            "outputs \(header.outputNames) but JSONValue reads \(String(describing: object["outputs"]))")
        if let foundation = reference.foundationObject {
            let other = Set(((foundation["outputs"] as? [String: Any])?.keys).map(Array.init) ?? [])
            try require(names == other, "outputs \(header.outputNames) but JSONSerialization reads \(other)")
        }
    }

    /// `replacingSerial` changes the serial and nothing else, and refuses an encrypted state.
    static func checkReplacingSerial(_ input: [UInt8], _ header: StateHeader, _ reference: JSONReference)
        throws(PropertyViolation)
    {
        let serial = header.serial == Int64.max ? 0 : header.serial + 1
        let replaced: [UInt8]
        do {
            replaced = try StateHeader.replacingSerial(in: input, with: serial)
        } catch {
            guard header.encrypted, case .encrypted = error else {
                throw PropertyViolation(description: "replacingSerial refused: \(error)")
            }
            return
        }
        try require(!header.encrypted, "replacingSerial changed an encrypted state")
        let again = try? StateHeader(parsing: replaced)
        let expected = StateHeader(
            serial: serial, lineage: header.lineage, terraformVersion: header.terraformVersion,
            resourceCount: header.resourceCount, outputNames: header.outputNames)
        try require(again == expected, "after replacingSerial: \(String(describing: again)), not \(expected)")
        var members = reference.object!
        members["serial"] = .number(String(serial))
        try require(
            (try? JSONValue(parsing: replaced)) == .object(members), "replacingSerial changed more than the serial")
    }
}
