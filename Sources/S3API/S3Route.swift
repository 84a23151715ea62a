import HTTPServer

/// What an S3 request asks for, read from its method, its path below the endpoint and the names
/// of its query parameters: one of the operations Terraform's and OpenTofu's s3 backends call, or
/// a `NotImplemented` naming what was asked.
enum S3Route: Equatable {
    /// HeadBucket.
    case headBucket(bucket: String)
    /// ListObjectsV2.
    case listObjects(bucket: String)
    /// GetObject, or HeadObject when `head`.
    case getObject(bucket: String, key: String, head: Bool)
    /// PutObject.
    case putObject(bucket: String, key: String)
    /// DeleteObject.
    case deleteObject(bucket: String, key: String)
    /// CreateMultipartUpload.
    case createUpload(bucket: String, key: String)
    /// UploadPart.
    case uploadPart(bucket: String, key: String, uploadID: String, part: String)
    /// CompleteMultipartUpload.
    case completeUpload(bucket: String, key: String, uploadID: String)
    /// AbortMultipartUpload.
    case abortUpload(bucket: String, key: String, uploadID: String)

    /// The operation's name, as the metrics and the access log label it.
    var operation: String {
        switch self {
        case .headBucket: "HeadBucket"
        case .listObjects: "ListObjectsV2"
        case .getObject(_, _, let head): head ? "HeadObject" : "GetObject"
        case .putObject: "PutObject"
        case .deleteObject: "DeleteObject"
        case .createUpload: "CreateMultipartUpload"
        case .uploadPart: "UploadPart"
        case .completeUpload: "CompleteMultipartUpload"
        case .abortUpload: "AbortMultipartUpload"
        }
    }

    /// The bucket the request names.
    var bucket: String {
        switch self {
        case .headBucket(let bucket), .listObjects(let bucket): bucket
        case .getObject(let bucket, _, _), .putObject(let bucket, _), .deleteObject(let bucket, _),
            .createUpload(let bucket, _), .uploadPart(let bucket, _, _, _), .completeUpload(let bucket, _, _),
            .abortUpload(let bucket, _, _):
            bucket
        }
    }

    /// The object key the request names, if it names one.
    var key: String? {
        switch self {
        case .headBucket, .listObjects: nil
        case .getObject(_, let key, _), .putObject(_, let key), .deleteObject(_, let key), .createUpload(_, let key),
            .uploadPart(_, let key, _, _), .completeUpload(_, let key, _), .abortUpload(_, let key, _):
            key
        }
    }

    /// Query parameters every request may carry: the SDKs' operation hint and the presigned
    /// form's signature parameters.
    private static let anywhere: Set<String> = [
        "x-id", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
        "X-Amz-Signature", "X-Amz-Security-Token",
    ]
    /// What a request signed with AWS Signature Version 2 is told.
    static let version2 =
        "the authorization mechanism you have provided is not supported; sign with AWS Signature Version 4 "
        + "(AWS4-HMAC-SHA256; boto3: signature_version=\"s3v4\")"

    /// ListObjectsV2's parameters.
    private static let listing: Set<String> = [
        "list-type", "prefix", "delimiter", "max-keys", "continuation-token", "start-after", "encoding-type",
        "fetch-owner",
    ]

    /// The route of a request for `path`, the decoded path below the endpoint's prefix (`""`, `/`,
    /// `/bucket`, `/bucket/key…`).
    init(method: String, path: String, query: [RequestTarget.QueryItem], headers: HTTPHeaders) throws(S3Error) {
        if query.contains(where: { $0.name == "AWSAccessKeyId" }) {
            throw S3Error.invalidRequest(Self.version2)
        }
        let names = Set(query.map(\.name)).subtracting(Self.anywhere)
        var rest = Substring(path)
        if rest.hasPrefix("/") { rest = rest.dropFirst() }
        guard !rest.isEmpty else { throw S3Error.notImplemented("ListBuckets (a request without a bucket)") }
        let slash = rest.firstIndex(of: "/")
        let bucket = String(rest[..<(slash ?? rest.endIndex)])
        let key = slash.map { String(rest[rest.index(after: $0)...]) } ?? ""
        guard !key.isEmpty else {
            switch method {
            case "HEAD" where names.isEmpty:
                self = .headBucket(bucket: bucket)
            case "GET" where query.contains(where: { $0.name == "list-type" && $0.value == "2" }):
                if let other = names.subtracting(Self.listing).sorted().first {
                    throw S3Error.notImplemented("the ListObjectsV2 parameter \(other)")
                }
                self = .listObjects(bucket: bucket)
            case "GET" where names.isEmpty:
                throw S3Error.notImplemented("ListObjects (version 1; list-type=2 is)")
            case "GET", "HEAD", "PUT", "POST", "DELETE":
                throw S3Error.notImplemented(Self.describe(method, names, on: "bucket"))
            default:
                throw S3Error(405, "MethodNotAllowed", "\(method) is not allowed on a bucket")
            }
            return
        }
        if headers.contains("x-amz-copy-source") { throw S3Error.notImplemented("CopyObject and UploadPartCopy") }
        let uploadID = query.first { $0.name == "uploadId" }?.value
        switch (method, names) {
        case ("GET", []), ("HEAD", []):
            self = .getObject(bucket: bucket, key: key, head: method == "HEAD")
        case ("PUT", []):
            self = .putObject(bucket: bucket, key: key)
        case ("DELETE", []):
            self = .deleteObject(bucket: bucket, key: key)
        case ("POST", ["uploads"]):
            self = .createUpload(bucket: bucket, key: key)
        case ("PUT", ["uploadId", "partNumber"]):
            self = .uploadPart(
                bucket: bucket, key: key, uploadID: uploadID ?? "",
                part: query.first { $0.name == "partNumber" }?.value ?? "")
        case ("POST", ["uploadId"]):
            self = .completeUpload(bucket: bucket, key: key, uploadID: uploadID ?? "")
        case ("DELETE", ["uploadId"]):
            self = .abortUpload(bucket: bucket, key: key, uploadID: uploadID ?? "")
        case ("GET", _), ("HEAD", _), ("PUT", _), ("POST", _), ("DELETE", _):
            throw S3Error.notImplemented(Self.describe(method, names, on: "object"))
        default:
            throw S3Error(405, "MethodNotAllowed", "\(method) is not allowed on an object")
        }
    }

    /// `GET ?acl on an object`, `POST on a bucket`.
    private static func describe(_ method: String, _ names: Set<String>, on target: String) -> String {
        let query = names.sorted().map { "?\($0)" }.joined(separator: " ")
        let article = target == "object" ? "an" : "a"
        return query.isEmpty ? "\(method) on \(article) \(target)" : "\(method) \(query) on \(article) \(target)"
    }
}
