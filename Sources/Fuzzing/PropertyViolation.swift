/// An input on which a parser breaks one of its properties, and which.
public struct PropertyViolation: Error, CustomStringConvertible {
    /// What went wrong, with the values that disagree.
    public let description: String
}

/// Throws `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(PropertyViolation) {
    if !condition { throw PropertyViolation(description: message()) }
}
