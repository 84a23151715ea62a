/// The name of a state: one or more `/`-separated segments of `[A-Za-z0-9._:-]`, such as
/// `team/app/prod` or `infra/env:/dev/app.tfstate` (an S3 workspace key), at most 255 bytes, with
/// no empty, `.` or `..` segment. `@` is never allowed: backups name directories with it.
public struct StateName: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The longest name accepted, in bytes.
    public static let maxLength = 255

    /// The validated name.
    public let rawValue: String

    /// Validates `rawValue`, throwing an error that says what is wrong.
    public init(_ rawValue: String) throws(DomainError) {
        let bytes = rawValue.utf8
        guard !bytes.isEmpty else { throw DomainError.invalidInput("state name is empty") }
        guard bytes.count <= StateName.maxLength else {
            throw DomainError.invalidInput("state name is longer than \(StateName.maxLength) bytes")
        }
        for segment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if segment.isEmpty {
                throw DomainError.invalidInput("state name has an empty segment")
            }
            if segment.elementsEqual(".".utf8) || segment.elementsEqual("..".utf8) {
                throw DomainError.invalidInput("state name has a '.' or '..' segment")
            }
            guard segment.allSatisfy(StateName.isAllowed) else {
                throw DomainError.invalidInput(
                    "state name may contain only letters, digits, '.', '_', '-', ':' and '/'")
            }
        }
        self.rawValue = rawValue
    }

    /// The name itself.
    public var description: String { self.rawValue }

    /// Orders names by their bytes.
    public static func < (lhs: StateName, rhs: StateName) -> Bool {
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"),
            UInt8(ascii: ":"):
            true
        default: false
        }
    }
}
