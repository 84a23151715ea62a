import Application
import Domain

/// A routed request resolved against Statehouse: the state it is about (or its lock), with the
/// caller's access to it checked from the head, as the http backend checks it.
enum S3Action {
    case headBucket(bucket: String)
    case list(bucket: String)
    case readState(StateName, head: Bool)
    case readLock(StateName, head: Bool)
    case writeState(StateName)
    case takeLock(StateName)
    case deleteState(StateName)
    case releaseLock(StateName)
    case startUpload(StateName, bucket: String, key: String)
    case uploadPart(StateName, uploadID: String, part: Int)
    case completeUpload(StateName, bucket: String, key: String, uploadID: String)
    case abortUpload(StateName, uploadID: String)

    /// Resolves `route` for `caller`: `AccessDenied` when its grants do not allow what the
    /// request would do (listing filters instead: it shows only the readable states).
    init(_ route: S3Route, caller: Caller) throws(S3Error) {
        let principal = caller.principal
        if case .headBucket(let bucket) = route {
            try ObjectKey.validate(bucket: bucket)
            let whole = Grant(prefix: bucket, access: .read)
            guard principal.grants.contains(where: { $0.coversPrefix(of: whole) || whole.coversPrefix(of: $0) }) else {
                throw S3Error.accessDenied("\(principal.name) has no grant in bucket \(bucket)")
            }
            self = .headBucket(bucket: bucket)
            return
        }
        if case .listObjects(let bucket) = route {
            try ObjectKey.validate(bucket: bucket)
            self = .list(bucket: bucket)
            return
        }
        let object = try ObjectKey(bucket: route.bucket, key: route.key ?? "")
        let name = object.name
        switch (route, object) {
        case (.getObject(_, _, let head), .state): self = .readState(name, head: head)
        case (.getObject(_, _, let head), .lock): self = .readLock(name, head: head)
        case (.putObject, .state): self = .writeState(name)
        case (.putObject, .lock): self = .takeLock(name)
        case (.deleteObject, .state): self = .deleteState(name)
        case (.deleteObject, .lock): self = .releaseLock(name)
        case (.createUpload(let bucket, let key), .state): self = .startUpload(name, bucket: bucket, key: key)
        case (.uploadPart(_, _, let uploadID, let part), .state):
            guard let number = Int(part), (1...10_000).contains(number) else {
                throw S3Error.invalidArgument("partNumber must be a number from 1 to 10000")
            }
            self = .uploadPart(name, uploadID: uploadID, part: number)
        case (.completeUpload(let bucket, let key, let uploadID), .state):
            self = .completeUpload(name, bucket: bucket, key: key, uploadID: uploadID)
        case (.abortUpload(_, _, let uploadID), .state): self = .abortUpload(name, uploadID: uploadID)
        default:
            throw S3Error.notImplemented("a multipart upload of a lock file")
        }
        do {
            try principal.require(self.access, on: name, changing: self.changes)
        } catch {
            throw S3Error.accessDenied(error.message)
        }
    }

    /// The state the action is about.
    var name: StateName? {
        switch self {
        case .headBucket, .list: nil
        case .readState(let name, _), .readLock(let name, _), .writeState(let name), .takeLock(let name),
            .deleteState(let name), .releaseLock(let name), .startUpload(let name, _, _), .uploadPart(let name, _, _),
            .completeUpload(let name, _, _, _), .abortUpload(let name, _):
            name
        }
    }

    /// Whether `x-amz-checksum-*` headers are checksums of the request's body; on
    /// CompleteMultipartUpload they are the whole object's, which S3 checks against the parts.
    var bodyChecksums: Bool {
        if case .completeUpload = self { return false }
        return true
    }

    /// Whether it continues a multipart upload, whose ID must name one.
    var isUpload: Bool {
        switch self {
        case .uploadPart, .completeUpload, .abortUpload: true
        default: false
        }
    }

    /// The access the action needs (its use case checks it again).
    private var access: Access {
        switch self {
        case .headBucket, .list, .readState, .readLock: .read
        case .writeState, .takeLock, .releaseLock, .startUpload, .uploadPart, .completeUpload, .abortUpload: .write
        case .deleteState: .admin
        }
    }

    /// Whether it changes or locks the state (what a protected prefix refuses).
    private var changes: Bool {
        switch self {
        case .headBucket, .list, .readState, .readLock, .releaseLock, .abortUpload: false
        case .writeState, .takeLock, .deleteState, .startUpload, .uploadPart, .completeUpload: true
        }
    }

    /// The largest body the action reads: a state or a part up to the server's limit, a lock
    /// file's LockInfo (with room for aws-chunked framing), a CompleteMultipartUpload document;
    /// nothing much otherwise.
    var maxBodyBytes: Int {
        switch self {
        case .writeState, .uploadPart: .max
        case .takeLock: LockInfo.maxBodyBytes + 1024
        case .completeUpload: CompleteMultipartDocument.maxBytes
        default: S3API.smallBodyBytes
        }
    }
}
