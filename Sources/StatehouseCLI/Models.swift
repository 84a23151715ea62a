#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Decoding the contract's JSON: snake_case keys onto camelCase properties.
enum JSONCoding {
    /// A decoder for every response body.
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// An encoder for request bodies, with stable key order.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// `{"error": "…", "lock": Lock?}`: every error answer.
struct ErrorBody: Decodable {
    private enum CodingKeys: String, CodingKey {
        case error
        case lock
    }

    var error: String
    var lock: Lock?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.error = try container.decode(String.self, forKey: .error)
        // A lock that does not match the contract must not hide the error message.
        self.lock = try? container.decodeIfPresent(Lock.self, forKey: .lock)
    }
}

/// A held lock (the fields the output uses).
struct Lock: Decodable {
    var id: String
    var operation: String
    var who: String
    var acquiredBy: String
    var ageSeconds: Int
}

/// A state as listed (`StateSummary`) or shown (`StateDetail`, which adds the last two fields).
struct StateSummary: Decodable {
    var name: String
    var id: Int
    var createdAt: String
    var version: Int?
    var serial: Int?
    var lineage: String?
    var size: Int?
    var terraformVersion: String?
    var resourceCount: Int?
    var encrypted: Bool
    var updatedAt: String?
    var updatedBy: String?
    var lock: Lock?
    var deletedAt: String?
    var deletedBy: String?
    /// Output names (detail only).
    var outputs: [String]?
    /// Versions kept, purged ones included (detail only).
    var versionCount: Int?
}

/// `GET /states`.
struct StateList: Decodable {
    var states: [StateSummary]
    var nextCursor: String?
}

/// `GET /locks`.
struct LockList: Decodable {
    /// One held lock and its state.
    struct Entry: Decodable {
        var state: String
        var lock: Lock
    }

    var locks: [Entry]
}

/// `DELETE /states/{name}/lock`.
struct UnlockResult: Decodable {
    var status: String
    var lock: Lock?
}

/// One stored version (the fields the output uses).
struct Version: Decodable {
    var number: Int
    var serial: Int
    var size: Int
    var createdAt: String
    var createdBy: String
    var encrypted: Bool
    var rollbackOf: Int?
    var current: Bool
    var purgedAt: String?
    var purgedBy: String?
    var purgeReason: String?
}

/// `GET /states/{name}/versions`.
struct VersionList: Decodable {
    var versions: [Version]
    var nextBefore: Int?
}

/// `POST /states/{name}/rollback`.
struct RollbackResult: Decodable {
    var status: String
    var version: Version
}

/// `GET /states/{name}/diff`.
struct StateDiff: Decodable {
    /// One changed attribute or output value.
    struct Change: Decodable {
        /// The attribute path (resources) — absent for outputs.
        var path: String?
        /// The output name — absent for attributes.
        var name: String?
        var before: JSONValue
        var after: JSONValue
    }

    /// A changed resource and its changed attributes.
    struct ChangedResource: Decodable {
        var address: String
        var attributes: [Change]
    }

    /// Added, removed and changed resources.
    struct Resources: Decodable {
        var added: [String]
        var removed: [String]
        var changed: [ChangedResource]
    }

    /// Added, removed and changed outputs.
    struct Outputs: Decodable {
        var added: [String]
        var removed: [String]
        var changed: [Change]
    }

    var from: Int?
    var to: Int
    var resources: Resources
    var outputs: Outputs
}

/// One audit log entry (the fields the output uses).
struct AuditEvent: Decodable {
    var at: String
    var action: String
    var state: String
    var version: Int?
    var user: String
    var address: String?
    var lockId: String?
    var reason: String?
    var detail: String?
}

/// `GET /audit`.
struct AuditList: Decodable {
    var events: [AuditEvent]
    var nextAfter: Int?
}

/// `DELETE /states/{name}/lock` body.
struct UnlockRequest: Encodable {
    var id: String?
    var reason: String?
}

/// `POST /states/{name}/restore` body.
struct RestoreRequest: Encodable {
    var id: Int
}

/// `DELETE /states/{name}/versions/{n}` body.
struct PurgeRequest: Encodable {
    var reason: String
}

/// `POST /states/{name}/rollback` body.
struct RollbackRequest: Encodable {
    var version: Int
    var reason: String?
}

/// Any JSON value: the before and after of a diff, and the states merged by `states list --all --json`.
indirect enum JSONValue: Codable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }

    /// Compact JSON with sorted keys; the server's `"(sensitive)"` marker shows bare.
    var rendered: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string("(sensitive)"): "(sensitive)"
        case .string(let value): JSONValue.quoted(value)
        case .array(let values): "[" + values.map(\.rendered).joined(separator: ",") + "]"
        case .object(let members):
            "{"
                + members.sorted { $0.key < $1.key }.map { JSONValue.quoted($0.key) + ":" + $0.value.rendered }
                .joined(separator: ",") + "}"
        }
    }

    /// `text` as a JSON string literal.
    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
