import Domain
import SystemSupport

/// S3 CreateMultipartUpload: opens an upload of a state's next body in parts (Terraform sends a
/// body over 5 MiB this way).
public struct StartUpload: Sendable {
    /// The most uploads one principal may have open at once.
    public static let maxOpenPerPrincipal = 10
    /// The longest upload ID (IDs are 32 hex digits; longer ones are unknown without a lookup).
    static let maxIDBytes = 64

    private let store: any UnitOfWork
    private let clock: any WallClock

    /// Creates the use case.
    public init(store: any UnitOfWork, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// Opens an upload to `name` and returns its ID. Needs write access; refused when the caller
    /// already has `maxOpenPerPrincipal` uploads open.
    public func execute(_ name: StateName, as caller: Caller) throws(ApplicationError) -> String {
        try caller.principal.require(.write, toChange: name)
        var generator = SystemRandomNumberGenerator()
        let id = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return try ApplicationError.translating {
            try self.store.transaction { transaction in
                let open = try transaction.uploads.uploadCount(principal: caller.principal.name)
                guard open < Self.maxOpenPerPrincipal else {
                    throw ApplicationError(
                        .invalidInput,
                        "\(caller.principal.name) already has \(open) uploads open; complete or abort one first")
                }
                try transaction.uploads.insert(
                    StoredUpload(id: id, name: name, principal: caller.principal.name, startedAt: self.clock.now()))
                return id
            }
        }
    }
}
