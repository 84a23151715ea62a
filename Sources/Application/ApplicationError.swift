import Domain

/// Why a use case did not do what was asked. Drivers map the kind to their own terms (HTTP
/// statuses in WebAPI); the message is a sentence for the client and never carries a secret.
public struct ApplicationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Equatable, Sendable {
        /// The request is malformed (bad name, body, checksum, parameter).
        case invalidInput
        /// The principal lacks the access needed.
        case forbidden
        /// No such state.
        case notFound
        /// Another holder has the lock; carries its LockInfo.
        case locked(LockInfo)
        /// The write or action conflicts with what is stored (stale serial, other lineage,
        /// a lock that is no longer held).
        case conflict
        /// What was asked for existed but was removed on purpose (a purged version).
        case gone
        /// The request is well formed but cannot be done to this state (an encrypted state
        /// cannot be diffed or rolled back by the server).
        case unprocessable
        /// The store cannot answer now (down, pool exhausted); worth retrying later.
        case unavailable
        /// A real fault: a bug or corrupted data.
        case fault
    }

    /// The kind.
    public let kind: Kind
    /// The sentence.
    public let message: String
    /// For `locked`, the lock as stored (with who took it when), when the use case had it.
    public let lock: StoredLock?
    /// For a refused state write, the check that refused it.
    public var writeCheck: WriteCheck? = nil

    /// The checks a state write must pass.
    public enum WriteCheck: String, CaseIterable, Sendable {
        /// The lock: held by someone else, or no longer held by the writer's ID.
        case fencing
        /// The serial: below the stored one, or equal with other content.
        case serial
        /// The lineage: not the stored one.
        case lineage
    }

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
        self.lock = nil
    }

    /// A `locked` error carrying the whole stored lock.
    public init(lockedBy lock: StoredLock, _ message: String) {
        self.kind = .locked(lock.info)
        self.message = message
        self.lock = lock
    }

    /// The message.
    public var description: String { self.message }
}

/// A failure reported by a store adapter, already translated from its own terms (SQLSTATE …).
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of store failure.
    public enum Kind: Equatable, Sendable {
        /// Connection refused or lost, pool exhausted, server shutting down: try again later.
        case unavailable
        /// Something that should not happen: bad data, a failed invariant, an unexpected error.
        case fault
    }

    /// The kind.
    public let kind: Kind
    /// What happened, without credentials or state content.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { self.message }
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
            case .unavailable: throw ApplicationError(.unavailable, "storage unavailable: \(error.message)")
            case .fault: throw ApplicationError(.fault, "storage fault: \(error.message)")
            }
        } catch {
            throw ApplicationError(.fault, "unexpected error: \(error)")
        }
    }
}
