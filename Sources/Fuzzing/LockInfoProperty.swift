import Domain
import Foundation
import SystemSupport

extension FuzzTarget {
    /// Any bytes as a LOCK or UNLOCK body.
    public static let lockInfo = FuzzTarget(name: "FuzzLockInfo", property: LockInfoProperty.check)
}

/// What `LockInfo` promises: a body it accepts is kept byte for byte, has every field within its
/// limit, reads the same by two full JSON parsers and as a stored lock, and written out again
/// parses to the same fields; a key Go would read as one of the seven is refused wherever it is
/// added; a stored lock it reads but refuses as a request is over a limit or ambiguous to Go.
enum LockInfoProperty {
    /// The seven fields, in a fixed order.
    static let keys = LockInfo.fields.sorted()

    static func check(_ input: [UInt8]) throws(PropertyViolation) {
        let reference = JSONReference(input)
        let stored = try? LockInfo(stored: input)
        let received: LockInfo
        do {
            received = try LockInfo(json: input)
        } catch {
            try self.checkRefusal(error, stored, reference)
            return
        }
        try require(received.json == input, "the body is not kept as sent")
        try require(stored == received, "read as stored: \(String(describing: stored)), received: \(received)")
        for (key, value) in self.fields(received) {
            try require(value.utf8.count <= LockInfo.fieldLimits[key]!, "\(key) is \(value.utf8.count) bytes")
        }
        try require(!received.id.isEmpty && !received.id.utf8.contains(0), "ID \(received.id.debugDescription)")
        if !reference.tooDeep {
            try require(reference.isObject, "accepted \(received), which is not a JSON object: \(reference)")
            for (key, value) in self.fields(received) {
                try require(
                    reference.hasString(key, value) || (key != "ID" && value.isEmpty && reference.lacks(key)),
                    "\(key) is \(value.debugDescription), read otherwise by JSONValue or JSONSerialization")
            }
        }
        try self.checkRoundTrip(received)
        var generator = SplitMix64(seededBy: input)
        try GoSpelling.checkRefused(
            input, keys: self.keys, present: { reference.object?[$0] != nil }, generator: &generator,
            parse: { (document) throws(DomainError) in _ = try LockInfo(json: document) })
    }

    /// The seven fields of `info` by key.
    static func fields(_ info: LockInfo) -> [(String, String)] {
        [
            ("ID", info.id), ("Operation", info.operation), ("Info", info.info), ("Who", info.who),
            ("Version", info.version), ("Created", info.created), ("Path", info.path),
        ]
    }

    /// The fields written out as JSON parse again to the same fields.
    static func checkRoundTrip(_ info: LockInfo) throws(PropertyViolation) {
        let json = "{" + self.fields(info).map { "\"\($0.0)\":\(jsonStringLiteral($0.1))" }.joined(separator: ",") + "}"
        let again: LockInfo
        do {
            again = try LockInfo(json: Array(json.utf8))
        } catch {
            throw PropertyViolation(description: "\(info) written out as \(json.debugDescription) is refused: \(error)")
        }
        let same = zip(self.fields(again), self.fields(info)).allSatisfy { Array($0.1.utf8) == Array($1.1.utf8) }
        try require(same, "\(info) written out as \(json.debugDescription) reads as \(again)")
    }

    /// A refused body is not a lock by the reference parsers, or is one that a stored lock
    /// (read without the limits and the key checks) has a field over its limit or a key Go would
    /// read differently.
    static func checkRefusal(_ error: DomainError, _ stored: LockInfo?, _ reference: JSONReference)
        throws(PropertyViolation)
    {
        guard let stored else {
            // Not even a stored lock: then not one by JSONValue either.
            guard let object = reference.object, case .string(let id) = object["ID"], !id.isEmpty,
                id.utf8.count <= LockInfo.maxIDLength, !id.utf8.contains(0),
                self.keys.allSatisfy({ object[$0] == nil || object[$0]?.stringValue != nil })
            else { return }
            throw PropertyViolation(
                description: "a lock with ID \(id.debugDescription) refused even as stored: \(error)")
        }
        let overLimit = self.fields(stored).contains { $0.1.utf8.count > LockInfo.fieldLimits[$0.0]! }
        try require(
            overLimit || error.description.contains("Go matches JSON keys") || error.description.contains("twice"),
            "\(stored) refused as a request: \(error)")
    }
}
