import Application
import CoreMetrics
import Crypto
import Domain
import HTTPServer
import Logging
import SystemSupport

/// The S3-compatible driving adapter: the path-style endpoint Terraform's and OpenTofu's `s3`
/// backends (and any S3 client) call, over the same use cases, grants, audit log and metrics as
/// the http backend. A key `{key}` of bucket `{bucket}` is the state `{bucket}/{key}`; the object
/// `{key}.tflock` is that state's one lock.
///
/// Everything that can be decided from the head is, before a body byte is read: the operation,
/// the signature (AWS Signature Version 4, header or presigned form), the access it needs and
/// the body's bound. The body is then checked against the payload hash or chunk signatures and
/// any checksum it announced.
public final class S3API: HTTPResponder, Sendable {
    /// The use cases the endpoint drives; the composition root builds them.
    public struct UseCases: Sendable {
        let read: ReadState
        let write: WriteState
        let lock: LockState
        let readLock: ReadLock
        let releaseLock: ReleaseLockFile
        let delete: DeleteState
        let list: ListObjects
        let startUpload: StartUpload
        let storePart: StoreUploadPart
        let completeUpload: CompleteUpload
        let abortUpload: AbortUpload

        /// Collects the use cases.
        public init(
            read: ReadState, write: WriteState, lock: LockState, readLock: ReadLock, releaseLock: ReleaseLockFile,
            delete: DeleteState, list: ListObjects, startUpload: StartUpload, storePart: StoreUploadPart,
            completeUpload: CompleteUpload, abortUpload: AbortUpload
        ) {
            self.read = read
            self.write = write
            self.lock = lock
            self.readLock = readLock
            self.releaseLock = releaseLock
            self.delete = delete
            self.list = list
            self.startUpload = startUpload
            self.storePart = storePart
            self.completeUpload = completeUpload
            self.abortUpload = abortUpload
        }
    }

    /// The endpoint's settings.
    public struct Settings: Sendable {
        /// The path the endpoint lives under (`/s3`): clients set `endpoints.s3` to the server's
        /// URL with this path.
        public var pathPrefix: String
        /// How far a request's signing time may be from the server's clock, in seconds.
        public var maxSkewSeconds: Int64

        /// The settings; the defaults are the configuration's.
        public init(pathPrefix: String = "/s3", maxSkewSeconds: Int64 = 900) {
            self.pathPrefix = pathPrefix
            self.maxSkewSeconds = maxSkewSeconds
        }
    }

    let useCases: UseCases
    let settings: Settings
    let signatures: SignatureCheck
    let metrics: S3Metrics
    /// `settings.pathPrefix` and a `/`: what the paths below the endpoint start with.
    private let pathBelow: String

    /// The endpoint: `keys` finds S3 keys and their principals, which `authenticator` binds by
    /// the protected prefixes; it also counts failed signatures as failed token logins.
    public init(
        useCases: UseCases, keys: S3KeyVerifier, authenticator: Authenticator, clock: any WallClock,
        settings: Settings, metrics: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.useCases = useCases
        self.settings = settings
        self.pathBelow = settings.pathPrefix + "/"
        self.signatures = SignatureCheck(
            maxSkewSeconds: settings.maxSkewSeconds, clock: clock,
            keys: { accessKeyID in keys.credential(accessKeyID: accessKeyID) },
            used: { credential in keys.recordUse(of: credential) },
            protect: { principal in authenticator.protected(principal) },
            failed: { address in authenticator.recordFailure(.token, from: address) })
        self.metrics = S3Metrics(factory: metrics)
    }

    /// Whether `rawPath` is under the endpoint.
    public func serves(rawPath: String) -> Bool {
        rawPath == self.settings.pathPrefix || rawPath.hasPrefix(self.pathBelow)
    }

    /// A request's body when nothing but its head matters.
    static let smallBodyBytes = 4 << 10

    /// Decides from the head: the operation, the signature, the state and the access it needs,
    /// and the body's bound; anything refused here is answered before a body byte is read.
    public func admit(_ request: IncomingRequest) -> Admission {
        let path = String(request.path.dropFirst(self.settings.pathPrefix.count))
        let resource = path.isEmpty ? "/" : path
        var operation = "Unknown"
        var user: String? = nil
        do throws(S3Error) {
            let route = try S3Route(
                method: request.method, path: path, query: request.head.target.query, headers: request.headers)
            operation = route.operation
            let verified = try self.signatures.verify(request)
            user = verified.principal.name
            let caller = Caller(verified.principal, address: request.remoteHost, requestID: request.id)
            let action = try S3Action(route, caller: caller)
            if case .chunked(_, let declared) = verified.payload {
                guard action.maxBodyBytes > Self.smallBodyBytes else {
                    throw S3Error.invalidRequest("\(route.operation) takes no aws-chunked body")
                }
                guard declared <= action.maxBodyBytes else {
                    throw S3Error(400, "EntityTooLarge", "the body is larger than \(action.maxBodyBytes) bytes")
                }
            }
            try Self.refuseForeignEncryption(request.headers)
            let (payload, name) = (verified.payload, route.operation)
            return .accept(maxBodyBytes: action.maxBodyBytes) { request in
                var response: Response
                do throws(S3Error) {
                    let body = try self.payload(of: request, payload, checksums: action.bodyChecksums)
                    response = try self.perform(action, body: body, request: request, caller: caller)
                } catch {
                    response = error.response(resource: resource, requestID: request.id)
                }
                response.logMetadata["state"] = action.name.map { .string($0.rawValue) }
                return self.finished(response, operation: name, user: caller.principal.name, request.id)
            }
        } catch {
            let response = error.response(resource: resource, requestID: request.id)
            return .refuse(self.finished(response, operation: operation, user: user, request.id))
        }
    }

    /// `response` labelled for the metrics and the access log, with S3's request-ID header.
    private func finished(_ response: Response, operation: String, user: String?, _ requestID: String) -> Response {
        var response = response
        response.route = "s3"
        response.headers.add(name: "x-amz-request-id", value: requestID)
        response.logMetadata["s3.operation"] = .string(operation)
        if let user { response.logMetadata["user"] = .string(user) }
        self.metrics.count(operation: operation, status: response.status.code)
        return response
    }

    /// The body as the client meant it: its SHA-256 checked against the signed payload hash, or
    /// its `aws-chunked` encoding removed with every chunk signature checked; then any checksum
    /// it announced, and its `Content-MD5`.
    private func payload(of request: Request, _ payload: SignatureCheck.Payload, checksums bodyChecksums: Bool)
        throws(S3Error) -> CheckedBody
    {
        let body = try self.decodedPayload(of: request, payload, checksums: bodyChecksums)
        if let sent = try Self.contentMD5(request.headers), sent != StateBlob.md5(body.bytes) {
            throw S3Error(400, "BadDigest", "the Content-MD5 you specified did not match what was received")
        }
        return body
    }

    /// The body with its payload hash or chunk signatures checked, and its announced checksums.
    private func decodedPayload(of request: Request, _ payload: SignatureCheck.Payload, checksums bodyChecksums: Bool)
        throws(S3Error) -> CheckedBody
    {
        var checksums = bodyChecksums ? try AnnouncedChecksums(headers: request.headers) : AnnouncedChecksums()
        var bytes = request.body
        switch payload {
        case .sha256(let declared):
            let sha256 = Array(SHA256.hash(data: bytes))
            guard Hex.encode(sha256) == declared else {
                throw S3Error(
                    400, "XAmzContentSHA256Mismatch",
                    "the provided x-amz-content-sha256 header does not match what was computed")
            }
            return CheckedBody(bytes: bytes, echoed: try checksums.verify(bytes, sha256: sha256))
        case .unsigned:
            break
        case .chunked(let signing, let length):
            let decoded = try AWSChunked.decode(bytes, decodedLength: length, signing: signing)
            for (name, value) in decoded.trailers {
                guard let algorithm = ChecksumAlgorithm(name: String(name.dropFirst("x-amz-checksum-".count))),
                    name.hasPrefix("x-amz-checksum-")
                else { throw S3Error.invalidRequest("the trailing header \(name) is not a checksum") }
                try checksums.add(algorithm, base64: value)
            }
            bytes = decoded.payload
        }
        return CheckedBody(bytes: bytes, echoed: try checksums.verify(bytes, sha256: nil))
    }
}

extension S3API {
    /// Refuses server-side encryption under a key the client names (KMS, or its own key): the
    /// client would believe the state is sealed under that key, and Statehouse seals with its own
    /// key ring. `AES256` (the s3 backend's `encrypt = true`) is accepted: states are sealed when
    /// a key ring is configured.
    static func refuseForeignEncryption(_ headers: HTTPHeaders) throws(S3Error) {
        if let mode = headers["x-amz-server-side-encryption"], mode.lowercased() != "aes256" {
            throw S3Error.notImplemented("server-side encryption \(mode) (Statehouse encrypts with its own key ring)")
        }
        let foreign = headers.first {
            $0.name.hasPrefixIgnoringCase("x-amz-server-side-encryption-")
                && $0.name.lowercased() != "x-amz-server-side-encryption-bucket-key-enabled"
        }
        if let foreign {
            throw S3Error.notImplemented("\(foreign.name) (Statehouse encrypts with its own key ring)")
        }
    }
}

/// A request body checked against everything its head promised.
struct CheckedBody {
    /// The payload.
    let bytes: [UInt8]
    /// The checksum headers to echo in the answer.
    let echoed: [(String, String)]
}

/// What the endpoint counts: requests by S3 operation and status class, lock files taken and
/// refused, and the use cases' outcomes under the names the API and the web UI count them.
struct S3Metrics: Sendable {
    /// The operations counted by name; anything else (refused before its route was known) is
    /// `Unknown`.
    static let operations = [
        "HeadBucket", "ListObjectsV2", "GetObject", "HeadObject", "PutObject", "DeleteObject",
        "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload", "Unknown",
    ]

    /// By operation, the counters of 2xx, 3xx, 4xx and 5xx.
    private let requests: [String: [Counter]]
    /// Lock files that took a lock (`statehouse_lock_acquisitions_total`, as LOCK counts).
    let lockAcquisitions: Counter
    /// Lock files refused because another holder has the lock.
    let lockConflicts: Counter
    /// Force-unlocks, refused writes, store failures.
    let outcomes: OutcomeMetrics

    init(factory: any MetricsFactory) {
        var requests: [String: [Counter]] = [:]
        for operation in Self.operations {
            requests[operation] = ["2xx", "3xx", "4xx", "5xx"].map { outcome in
                Counter(
                    label: "statehouse_s3_requests_total", dimensions: [("operation", operation), ("status", outcome)],
                    factory: factory)
            }
        }
        self.requests = requests
        self.lockAcquisitions = Counter(label: "statehouse_lock_acquisitions_total", factory: factory)
        self.lockConflicts = Counter(label: "statehouse_lock_conflicts_total", factory: factory)
        self.outcomes = OutcomeMetrics(factory: factory)
    }

    func count(operation: String, status: Int) {
        let counters = self.requests[operation] ?? self.requests["Unknown"]
        counters?[min(max(status / 100, 2), 5) - 2].increment()
    }
}
