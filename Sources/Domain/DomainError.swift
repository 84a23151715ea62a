/// A request the domain rules refuse, with a sentence for the client.
public enum DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Malformed input: a bad name, body or parameter.
    case invalidInput(String)
    /// A well-formed OpenTofu client-side encrypted state, whose content the server cannot read.
    case encrypted(String)

    /// The sentence.
    public var description: String {
        switch self {
        case .invalidInput(let message): message
        case .encrypted(let message): message
        }
    }
}
