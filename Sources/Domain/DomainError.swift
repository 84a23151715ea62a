/// A request the domain rules refuse, with a sentence for the client.
public enum DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Malformed input: a bad name, body or parameter.
    case invalidInput(String)

    /// The sentence.
    public var description: String {
        switch self {
        case .invalidInput(let message): message
        }
    }
}
