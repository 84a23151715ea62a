import APITypes
import Application
import Domain
import HTTPServer
import SystemSupport

/// The opaque `next_cursor` of state listings, hexadecimal of `<id>:<name>`, and of lock listings,
/// hexadecimal of `lock:<microseconds>:<id>` (which no state cursor decodes as, nor the reverse).
enum Cursor {
    static func encode(_ position: StatePosition) -> String {
        Hex.encode(Array("\(position.id):\(position.name)".utf8))
    }

    static func decode(_ text: String) -> StatePosition? {
        guard let bytes = Hex.decode(text), let text = String(validating: bytes, as: UTF8.self),
            let colon = text.firstIndex(of: ":"),
            let id = Int64(text[..<colon])
        else { return nil }
        return StatePosition(name: String(text[text.index(after: colon)...]), id: id)
    }

    static func encode(_ position: LockPosition) -> String {
        Hex.encode(Array("lock:\(position.acquiredAt.microseconds):\(position.id)".utf8))
    }

    static func decodeLock(_ text: String) -> LockPosition? {
        guard let bytes = Hex.decode(text), let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "lock", let microseconds = Int64(parts[1]), let id = Int64(parts[2])
        else { return nil }
        return LockPosition(acquiredAt: Timestamp(microseconds: microseconds), id: id)
    }
}
