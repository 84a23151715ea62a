import Domain
import SystemSupport

/// `audit.jsonl` and `tokens.jsonl`: one JSON object a line, every field.
enum BackupLines {
    /// The lines of `bytes`, each within ``BackupLayout/maxLineBytes``; a last line may lack its
    /// newline.
    static func split(_ bytes: [UInt8], file: String) throws(ApplicationError) -> [ArraySlice<UInt8>] {
        let lines = bytes.split(separator: UInt8(ascii: "\n"))
        if let long = lines.firstIndex(where: { $0.count > BackupLayout.maxLineBytes }) {
            throw ApplicationError(
                .invalidInput, "\(file): line \(long + 1) is longer than \(BackupLayout.maxLineBytes) bytes")
        }
        return lines
    }

    /// An audit event as one line (its key, which only orders the log, left out).
    static func line(_ event: AuditEvent) -> String {
        BackupJSON.object([
            "at": BackupJSON.time(event.at),
            "action": BackupJSON.string(event.action.rawValue),
            "state": BackupJSON.string(event.state?.rawValue),
            "version": BackupJSON.number(event.version),
            "user": BackupJSON.string(event.user),
            "address": BackupJSON.string(event.address),
            "request_id": BackupJSON.string(event.requestID),
            "lock_id": BackupJSON.string(event.lockID),
            "reason": BackupJSON.string(event.reason),
            "detail": BackupJSON.string(event.detail),
        ])
    }

    /// The audit event on line `number` of `audit.jsonl`.
    static func event(_ line: ArraySlice<UInt8>, number: Int) throws(ApplicationError) -> AuditEvent {
        let file = "\(BackupLayout.audit) line \(number)"
        let object = try BackupObject(parsing: Array(line), file: file)
        guard let action = AuditEvent.Action(rawValue: try object.string("action")) else {
            throw ApplicationError(.invalidInput, "\(file): unknown action")
        }
        var state: StateName?
        if let name = try object.optionalString("state") {
            do {
                state = try StateName(name)
            } catch {
                throw ApplicationError(.invalidInput, "\(file): \(error)")
            }
        }
        return AuditEvent(
            at: try object.time("at"), action: action, state: state, version: try object.optionalNumber("version"),
            user: try object.string("user"), address: try object.optionalString("address"),
            requestID: try object.optionalString("request_id"), lockID: try object.optionalString("lock_id"),
            reason: try object.optionalString("reason"), detail: try object.optionalString("detail"))
    }

    /// An API token as one line: the SHA-256 of its secret, never the secret; an S3 key adds its
    /// access key id and its secret as stored (sealed when the store has a key ring).
    static func line(_ token: StoredToken) -> String {
        let line = BackupJSON.object([
            "id": BackupJSON.string(token.id),
            "name": BackupJSON.string(token.name),
            "owner": BackupJSON.string(token.owner),
            "grants": token.grantsJSON,
            "secret_sha256": BackupJSON.hex(token.secretHash),
            "created_at": BackupJSON.time(token.createdAt),
            "expires_at": BackupJSON.time(token.expiresAt),
            "last_used_at": BackupJSON.time(token.lastUsedAt),
        ])
        guard let s3 = token.s3 else { return line }
        return line.dropLast()
            + ",\"s3_access_key_id\":\(BackupJSON.string(s3.accessKeyID)),\"s3_secret\":\(BackupJSON.hex(s3.storedSecret))}"
    }

    /// The API token on line `number` of `tokens.jsonl`.
    static func token(_ line: ArraySlice<UInt8>, number: Int) throws(ApplicationError) -> StoredToken {
        let file = "\(BackupLayout.tokens) line \(number)"
        let object = try BackupObject(parsing: Array(line), file: file)
        var grants: [Grant] = []
        for (prefix, level) in try object.members("grants").sorted(by: { $0.key < $1.key }) {
            guard let access = Access(level: level.stringValue) else {
                throw ApplicationError(.invalidInput, "\(file): the grant on \(jsonString(prefix)) has no valid level")
            }
            grants.append(Grant(prefix: prefix, access: access))
        }
        var s3: S3KeyMaterial?
        if let accessKeyID = try object.optionalString("s3_access_key_id") {
            guard S3Secret.isAccessKeyID(accessKeyID),
                let stored = Hex.decode(try object.string("s3_secret")),
                SealedSecret.isSealed(stored) || SealedSecret.plainSecret(stored) != nil
            else {
                throw ApplicationError(.invalidInput, "\(file): not a valid S3 key (s3_access_key_id, s3_secret)")
            }
            s3 = S3KeyMaterial(accessKeyID: accessKeyID, storedSecret: stored)
        }
        return StoredToken(
            id: try object.string("id"), name: try object.string("name"), owner: try object.string("owner"),
            grants: grants, secretHash: try object.digest("secret_sha256", count: 32),
            createdAt: try object.time("created_at"), expiresAt: try object.time("expires_at"),
            lastUsedAt: try object.optionalTime("last_used_at"), s3: s3)
    }
}
