import APITypes
import Application
import Domain

/// Reads a management request body into its shared `APITypes` request: a JSON object with only the
/// request's members, strings of at most 1000 bytes without NUL, whole numbers from 0. An empty
/// body is `{}`. Every refusal is `invalidInput` naming the member.
enum RequestBody {
    /// The longest string member accepted, in bytes.
    static let maxStringBytes = 1000

    /// `body` as a `T`.
    static func decode<T: APIRequest>(_ type: T.Type, from body: [UInt8]) throws(ApplicationError) -> T {
        let bytes = body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 } ? Array("{}".utf8) : body
        let value: Domain.JSONValue
        do {
            value = try Domain.JSONValue(parsing: bytes)
        } catch {
            throw ApplicationError(.invalidInput, "the body is not JSON: \(error.description)")
        }
        guard case .object(let members) = value else {
            throw ApplicationError(.invalidInput, "the body must be a JSON object")
        }
        if let unknown = members.keys.sorted().first(where: { !T.members.contains($0) }) {
            throw ApplicationError(
                .invalidInput, "unknown field \"\(unknown)\"; allowed: \(T.members.sorted().joined(separator: ", "))")
        }
        for (key, member) in members {
            switch member {
            case .string(let text):
                guard text.utf8.count <= Self.maxStringBytes, !text.utf8.contains(0) else {
                    throw ApplicationError(
                        .invalidInput, "\"\(key)\" must be at most \(Self.maxStringBytes) bytes without NUL")
                }
            case .number(let text):
                guard let number = Int64(text), number >= 0 else {
                    throw ApplicationError(.invalidInput, "\"\(key)\" must be a whole number")
                }
            default:
                break
            }
        }
        do {
            return try APIJSON.decode(type, from: bytes)
        } catch DecodingError.keyNotFound(let key, _) {
            throw ApplicationError(.invalidInput, "the body needs \"\(key.stringValue)\"")
        } catch DecodingError.valueNotFound(_, let context) {
            throw ApplicationError(.invalidInput, "the body needs \"\(context.codingPath.last?.stringValue ?? "")\"")
        } catch DecodingError.typeMismatch(let expected, let context) {
            let key = context.codingPath.last?.stringValue ?? "the body"
            let kind = expected == String.self ? "a string" : "a whole number"
            throw ApplicationError(.invalidInput, "\"\(key)\" must be \(kind)")
        } catch {
            throw ApplicationError(.invalidInput, "the body does not fit this request: \(error)")
        }
    }
}
