import Domain

/// `state.json`: one state entry (live or deleted) with the records of all its versions.
struct BackupStateFile: Equatable {
    /// The entry; its key is the source store's and means nothing elsewhere.
    let entry: StateEntry
    /// Every version, oldest first (the entry's latest is usually the last).
    let versions: [VersionRecord]

    var json: [UInt8] {
        let state = self.entry.state
        let lock = state.lock.map { lock in
            BackupJSON.object([
                "info": BackupJSON.string(String(decoding: lock.info.json, as: UTF8.self)),
                "acquired_at": BackupJSON.time(lock.acquiredAt), "acquired_by": BackupJSON.string(lock.acquiredBy),
            ])
        }
        let text = BackupJSON.object([
            "name": BackupJSON.string(state.name.rawValue),
            "created_at": BackupJSON.time(state.createdAt),
            "deleted_at": BackupJSON.time(self.entry.deletedAt),
            "deleted_by": BackupJSON.string(self.entry.deletedBy),
            "lock": lock ?? "null",
            "latest": BackupJSON.number(state.latest?.number),
            "versions": BackupJSON.lines(self.versions.map(Self.json)),
        ])
        return Array((text + "\n").utf8)
    }

    private static func json(_ record: VersionRecord) -> String {
        let metadata = record.metadata
        return BackupJSON.object([
            "number": BackupJSON.number(record.number),
            "serial": BackupJSON.number(record.serial),
            "lineage": BackupJSON.string(record.lineage),
            "size": BackupJSON.number(record.size),
            "sha256": BackupJSON.hex(record.sha256),
            "md5": BackupJSON.hex(record.md5),
            "created_at": BackupJSON.time(record.createdAt),
            "created_by": BackupJSON.string(record.createdBy),
            "lock_id": BackupJSON.string(record.lockID),
            "rollback_of": BackupJSON.number(record.rollbackOf),
            "purge": record.purge.map {
                BackupJSON.object([
                    "at": BackupJSON.time($0.at), "by": BackupJSON.string($0.by),
                    "reason": BackupJSON.string($0.reason),
                ])
            } ?? "null",
            "metadata": BackupJSON.object([
                "terraform_version": BackupJSON.string(metadata.terraformVersion),
                "resource_count": BackupJSON.number(metadata.resourceCount),
                "output_names": "[" + metadata.outputNames.map { BackupJSON.string($0) }.joined(separator: ",") + "]",
                "encrypted": metadata.encrypted ? "true" : "false",
            ]),
        ])
    }

    init(entry: StateEntry, versions: [VersionRecord]) {
        self.entry = entry
        self.versions = versions
    }

    /// Reads `state.json` from `file`: a valid name, versions numbered upwards, a lock that is a
    /// valid LockInfo.
    init(parsing bytes: [UInt8], file: String) throws(ApplicationError) {
        let object = try BackupObject(parsing: bytes, file: file)
        let name: StateName
        do {
            name = try StateName(try object.string("name"))
        } catch {
            throw ApplicationError(.invalidInput, "\(file): \(error)")
        }
        var versions: [VersionRecord] = []
        for element in try object.array("versions") {
            let record = try Self.record(BackupObject(element, file: file))
            guard record.number > (versions.last?.number ?? 0), record.size <= BackupLayout.maxVersionBytes else {
                throw ApplicationError(
                    .invalidInput, "\(file): version \(record.number) is out of order or larger than allowed")
            }
            versions.append(record)
        }
        var lock: StoredLock?
        if let held = try object.optionalObject("lock") {
            do {
                lock = StoredLock(
                    info: try LockInfo(stored: Array(try held.string("info").utf8)),
                    acquiredAt: try held.time("acquired_at"),
                    acquiredBy: try held.string("acquired_by"))
            } catch {
                throw ApplicationError(.invalidInput, "\(file): lock: \(error)")
            }
        }
        let deletedAt = try object.optionalTime("deleted_at")
        let deletedBy = try object.optionalString("deleted_by")
        guard (deletedAt == nil) == (deletedBy == nil) else {
            throw ApplicationError(.invalidInput, "\(file): deleted_at and deleted_by go together")
        }
        let latest = try object.optionalNumber("latest")
        guard latest == nil || versions.contains(where: { $0.number == latest }) else {
            throw ApplicationError(.invalidInput, "\(file): the latest version is not among its versions")
        }
        self.entry = StateEntry(
            state: StoredState(
                id: 0, name: name, createdAt: try object.time("created_at"), lock: lock,
                latest: versions.first { $0.number == latest }),
            deletedAt: deletedAt, deletedBy: deletedBy)
        self.versions = versions
    }

    private static func record(_ object: BackupObject) throws(ApplicationError) -> VersionRecord {
        let metadata = try object.object("metadata")
        var outputs: [String] = []
        for element in try metadata.array("output_names") {
            guard case .string(let output) = element else {
                throw ApplicationError(.invalidInput, "\(object.file): output_names must be strings")
            }
            outputs.append(output)
        }
        let purge = try object.optionalObject("purge")
        let number = try object.number("number")
        let size = try object.number("size")
        guard number > 0, size >= 0 else {
            throw ApplicationError(.invalidInput, "\(object.file): a version has a number or size out of range")
        }
        return VersionRecord(
            number: number, serial: try object.number("serial"), lineage: try object.string("lineage"), size: size,
            sha256: try object.digest("sha256", count: 32), md5: try object.digest("md5", count: 16),
            createdAt: try object.time("created_at"), createdBy: try object.string("created_by"),
            lockID: try object.optionalString("lock_id"),
            metadata: StateMetadata(
                terraformVersion: try metadata.optionalString("terraform_version"),
                resourceCount: try metadata.optionalNumber("resource_count"), outputNames: outputs,
                encrypted: try metadata.bool("encrypted")),
            rollbackOf: try object.optionalNumber("rollback_of"),
            purge: try purge.map { (purge) throws(ApplicationError) in
                Purge(at: try purge.time("at"), by: try purge.string("by"), reason: try purge.optionalString("reason"))
            })
    }
}
