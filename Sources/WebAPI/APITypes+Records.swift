import APITypes
import Application
import Domain
import SystemSupport

// The management API's documents made from the use cases' records: the one place where the
// application's values meet the shared `APITypes`.

extension APITypes.Lock {
    /// A held lock: the holder's description, who took it when, and its age at `now`.
    init(_ lock: StoredLock, now: Timestamp) {
        let info = lock.info
        self.init(
            id: info.id, operation: info.operation, who: info.who, info: info.info, version: info.version,
            created: info.created, path: info.path, acquiredAt: lock.acquiredAt.description,
            acquiredBy: lock.acquiredBy,
            ageSeconds: max(0, now.microseconds - lock.acquiredAt.microseconds) / 1_000_000)
    }
}

extension StateSummary {
    /// A state in a listing.
    init(_ entry: StateEntry, now: Timestamp) {
        let state = entry.state
        let latest = state.latest
        self.init(
            name: state.name.rawValue, id: state.id, createdAt: state.createdAt.description, version: latest?.number,
            serial: latest?.serial, lineage: latest?.lineage, size: latest?.size,
            terraformVersion: latest?.metadata.terraformVersion, resourceCount: latest?.metadata.resourceCount,
            encrypted: latest?.metadata.encrypted ?? false, updatedAt: latest?.createdAt.description,
            updatedBy: latest?.createdBy, lock: state.lock.map { APITypes.Lock($0, now: now) },
            deletedAt: entry.deletedAt?.description, deletedBy: entry.deletedBy)
    }
}

extension StateDetail {
    /// One state in detail.
    init(_ details: StateDetails, now: Timestamp) {
        self.init(
            summary: StateSummary(details.entry, now: now),
            outputs: details.entry.state.latest?.metadata.outputNames ?? [], versionCount: details.versionCount)
    }
}

extension APITypes.Version {
    /// A version's record; `current` is the state's current version number, if known.
    init(_ record: VersionRecord, current: Int64?) {
        self.init(
            number: record.number, serial: record.serial, lineage: record.lineage, size: record.size,
            sha256: Hex.encode(record.sha256), md5: Hex.encode(record.md5), createdAt: record.createdAt.description,
            createdBy: record.createdBy, lockID: record.lockID, terraformVersion: record.metadata.terraformVersion,
            resourceCount: record.metadata.resourceCount, encrypted: record.metadata.encrypted,
            rollbackOf: record.rollbackOf, current: record.number == current, purgedAt: record.purge?.at.description,
            purgedBy: record.purge?.by, purgeReason: record.purge?.reason)
    }
}

extension APITypes.AuditEvent {
    /// An audit event.
    init(_ event: Application.AuditEvent) {
        self.init(
            id: event.id, at: event.at.description, action: event.action.rawValue, state: event.state?.rawValue,
            version: event.version, user: event.user, address: event.address, requestID: event.requestID,
            lockID: event.lockID, reason: event.reason, detail: event.detail)
    }
}

extension APITypes.Token {
    /// A token as listed: never its secret or the secret's hash (an S3 key's access key id, which
    /// is no secret).
    init(_ token: StoredToken) {
        self.init(
            id: token.id, name: token.name, owner: token.owner,
            grants: Dictionary(
                token.grants.map { ($0.prefix, $0.access.description) }, uniquingKeysWith: { first, _ in first }),
            createdAt: token.createdAt.description, expiresAt: token.expiresAt.description,
            lastUsedAt: token.lastUsedAt?.description, revokedAt: token.revokedAt?.description,
            accessKeyID: token.s3?.accessKeyID)
    }
}

extension Diff {
    /// The differences between two versions, sensitive values redacted.
    init(_ result: DiffVersions.Result) {
        let diff = result.diff
        self.init(
            from: result.from.number, to: result.to.number,
            resources: Resources(
                added: diff.addedResources, removed: diff.removedResources,
                changed: diff.changedResources.map { resource in
                    ResourceChange(
                        address: resource.address,
                        attributes: resource.attributes.map {
                            AttributeChange(
                                path: $0.path, before: APITypes.JSONValue($0.before),
                                after: APITypes.JSONValue($0.after))
                        })
                }),
            outputs: Outputs(
                added: diff.addedOutputs, removed: diff.removedOutputs,
                changed: diff.changedOutputs.map {
                    OutputChange(
                        name: $0.name, before: APITypes.JSONValue($0.before), after: APITypes.JSONValue($0.after))
                }),
            truncated: diff.truncated)
    }
}

extension OutputList {
    /// The outputs of one version, sensitive values left out.
    init(_ result: ShowOutputs.Result) {
        self.init(
            outputs: result.outputs.outputs.map {
                Output(name: $0.name, type: $0.type, sensitive: $0.sensitive, value: $0.value, truncated: $0.truncated)
            },
            version: result.version.number, encrypted: result.outputs.encrypted)
    }
}

extension APITypes.JSONValue {
    /// One side of a change: `null` when absent, `"(sensitive)"` when hidden.
    init(_ side: StateDiff.Value) {
        switch side {
        case .value(let value): self.init(value)
        case .absent: self = .null
        case .sensitive: self = .string("(sensitive)")
        }
    }

    /// A parsed state value. A number becomes an integer when it is one that fits, otherwise a
    /// double; a literal no double can hold (`1e400`) stays as its text.
    init(_ value: Domain.JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let text):
            if let integer = Int64(text) {
                self = .integer(integer)
            } else if let double = Double(text), double.isFinite {
                self = .number(double)
            } else {
                self = .string(text)
            }
        case .string(let text): self = .string(text)
        case .array(let elements): self = .array(elements.map(APITypes.JSONValue.init))
        case .object(let members): self = .object(members.mapValues(APITypes.JSONValue.init))
        }
    }
}
