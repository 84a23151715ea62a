import Domain

/// Why a use case did not do what was asked: one value per failure. Drivers map the kind to
/// their own terms (HTTP statuses in WebAPI).
///
/// The `message` is a sentence for the client and never carries a secret, a host name or a
/// database's own words; those go in `detail`, which only the server log sees.
public struct ApplicationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Equatable, Sendable {
        /// The request is malformed (bad name, body, checksum, parameter).
        case invalidInput
        /// The principal lacks the access needed.
        case forbidden
        /// No such state.
        case notFound
        /// Another holder has the lock; carries it as stored (the holder's LockInfo as sent,
        /// and who took it when).
        case locked(StoredLock)
        /// The write or action conflicts with what is stored (stale serial, other lineage,
        /// a lock that is no longer held).
        case conflict
        /// A condition the request set on the state's current content does not hold (S3's
        /// `If-None-Match: *` on an existing state, `If-Match` on another version).
        case preconditionFailed
        /// What was asked for existed but was removed on purpose (a purged version).
        case gone
        /// The request is well formed but cannot be done to this state (an encrypted state
        /// cannot be diffed or rolled back by the server).
        case unprocessable
        /// The store cannot answer now (down, pool exhausted); worth retrying later.
        case unavailable
        /// The store's disk is full: nothing was written; worth retrying once space is freed.
        case diskFull
        /// The server already does as much heavy work (diffs, rollbacks, large downloads) as it
        /// allows; worth retrying shortly.
        case busy
        /// A real fault: a bug or corrupted data.
        case fault
    }

    /// The checks a state write must pass.
    public enum WriteCheck: String, CaseIterable, Sendable {
        /// The lock: held by someone else, or no longer held by the writer's ID.
        case fencing
        /// The serial: below the stored one, or equal with other content.
        case serial
        /// The lineage: not the stored one.
        case lineage
    }

    /// The kind.
    public let kind: Kind
    /// The sentence for the client.
    public let message: String
    /// What happened in the words of the store or the library that failed, for the server log
    /// only.
    public let detail: String?
    /// For a refused state write, the check that refused it.
    public let writeCheck: WriteCheck?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, detail: String? = nil, writeCheck: WriteCheck? = nil) {
        self.kind = kind
        self.message = message
        self.detail = detail
        self.writeCheck = writeCheck
    }

    /// `locked` by `holder`, the lock as stored; a `fault` if the lock rules refused a state that
    /// holds no lock (they never do).
    static func locked(by holder: StoredLock?, _ message: String, writeCheck: WriteCheck? = nil) -> ApplicationError {
        guard let holder else {
            return ApplicationError(.fault, "internal error", detail: "refused as locked without a lock: \(message)")
        }
        return ApplicationError(.locked(holder), message, writeCheck: writeCheck)
    }

    /// The message.
    public var description: String { self.message }

    /// The message and, when there is one, the detail: what the server log says.
    public var logDescription: String {
        self.detail.map { "\(self.message): \($0)" } ?? self.message
    }
}

extension ApplicationError {
    /// Runs `work`, translating any error into an `ApplicationError`.
    static func translating<T>(_ work: () throws -> T) throws(ApplicationError) -> T {
        do {
            return try work()
        } catch let error as ApplicationError {
            throw error
        } catch let error as DomainError {
            if case .encrypted = error { throw ApplicationError(.unprocessable, error.description) }
            throw ApplicationError(.invalidInput, error.description)
        } catch let error as StoreError {
            switch error.kind {
            case .unavailable:
                throw ApplicationError(
                    .unavailable, "the store is not answering; try again shortly", detail: error.message)
            case .diskFull:
                throw ApplicationError(
                    .diskFull,
                    "the server's disk is full, so nothing was written; try again once an operator has "
                        + "freed space", detail: error.message)
            case .fault:
                throw ApplicationError(.fault, "the store failed", detail: error.message)
            }
        } catch {
            throw ApplicationError(.fault, "unexpected error", detail: "\(error)")
        }
    }
}
