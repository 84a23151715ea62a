import APITypes
import Application
import Domain
import HTTPServer
import SystemSupport

/// The opaque `next_cursor` of state listings: hexadecimal of `<id>:<name>`.
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
}
