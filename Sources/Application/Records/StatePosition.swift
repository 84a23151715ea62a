import Domain
import SystemSupport

/// A place in the name-ordered list of states.
public struct StatePosition: Equatable, Sendable {
    /// The name.
    public let name: String
    /// The store's key (deleted states can share a name).
    public let id: Int64

    /// Creates a position.
    public init(name: String, id: Int64) {
        self.name = name
        self.id = id
    }
}

extension StatePosition {
    /// The position as opaque text, for an API cursor or a page link.
    public var cursor: String { Hex.encode(Array("\(self.id):\(self.name)".utf8)) }

    /// The position `cursor` names; `nil` if it names none.
    public init?(cursor text: String) {
        guard let bytes = Hex.decode(text), let text = String(validating: bytes, as: UTF8.self),
            let colon = text.firstIndex(of: ":"), let id = Int64(text[..<colon])
        else { return nil }
        self.init(name: String(text[text.index(after: colon)...]), id: id)
    }
}
