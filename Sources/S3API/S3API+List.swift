import Application
import Domain
import HTTPServer
import SystemSupport

extension S3API {
    /// ListObjectsV2: the bucket's states the caller may read, in byte order, by `prefix`,
    /// grouped by `delimiter`, `max-keys` at a time (1,000 at most) with opaque continuation
    /// tokens. This is how the s3 backend lists workspaces (`prefix=env:/`). Lock files and
    /// states that have only ever been locked are not objects here.
    func list(bucket: String, request: Request, caller: Caller) throws -> Response {
        let parameters = try ListParameters(request.head.target, bucket: bucket)
        let page = try self.useCases.list.execute(
            ListObjects.Query(
                prefix: bucket + "/" + parameters.prefix, delimiter: parameters.delimiter, after: parameters.after,
                limit: parameters.maxKeys),
            as: caller)
        let strip = bucket.utf8.count + 1
        func key(_ full: String) -> String { String(full.dropFirst(strip)) }
        func text(_ value: String) -> String { parameters.urlEncoded ? SigV4.encode(value) : value }
        var document = XMLWriter()
        document.open("ListBucketResult", namespaced: true)
        document.element("Name", bucket)
        document.element("Prefix", text(parameters.prefix))
        if let delimiter = parameters.delimiter { document.element("Delimiter", text(delimiter)) }
        document.element("MaxKeys", String(parameters.maxKeys))
        if parameters.urlEncoded { document.element("EncodingType", "url") }
        document.element("KeyCount", String(page.objects.count + page.commonPrefixes.count))
        document.element("IsTruncated", page.isTruncated ? "true" : "false")
        if let token = parameters.continuationToken { document.element("ContinuationToken", token) }
        if page.isTruncated, let last = page.last {
            document.element("NextContinuationToken", ListParameters.token(after: last))
        }
        if let startAfter = parameters.startAfter { document.element("StartAfter", text(startAfter)) }
        for object in page.objects {
            document.open("Contents")
            document.element("Key", text(key(object.name.rawValue)))
            document.element("LastModified", Self.iso8601(object.modifiedAt))
            document.element("ETag", "\"\(Hex.encode(object.md5))\"")
            document.element("Size", String(object.size))
            document.element("StorageClass", "STANDARD")
            document.close("Contents")
        }
        for prefix in page.commonPrefixes {
            document.open("CommonPrefixes")
            document.element("Prefix", text(key(prefix)))
            document.close("CommonPrefixes")
        }
        document.close("ListBucketResult")
        return Response(status: .ok, headers: ["Content-Type": "application/xml"], body: document.bytes)
    }

    /// `2026-12-05T10:00:00.000Z`, as S3 writes times in listings.
    static func iso8601(_ time: Timestamp) -> String {
        let text = time.description  // 2026-12-05T10:00:00.123456Z
        return String(text.dropLast(4)) + "Z"
    }
}

/// ListObjectsV2's query parameters, checked.
struct ListParameters {
    /// The key prefix (within the bucket).
    let prefix: String
    /// The grouping delimiter.
    let delimiter: String?
    /// At most this many keys and common prefixes.
    let maxKeys: Int
    /// The token the client sent back, as sent.
    let continuationToken: String?
    /// `start-after`, within the bucket.
    let startAfter: String?
    /// The full state name to list after (from the token, else `start-after`).
    let after: String?
    /// `encoding-type=url`: keys and prefixes percent-encoded in the answer.
    let urlEncoded: Bool

    /// The longest prefix, delimiter or `start-after`, in bytes.
    static let maxTextBytes = 1024

    init(_ target: RequestTarget, bucket: String) throws(S3Error) {
        func value(_ name: String) throws(S3Error) -> String? {
            guard let value = target.queryValue(name) else { return nil }
            guard value.utf8.count <= Self.maxTextBytes else {
                throw S3Error.invalidArgument("\(name) is longer than \(Self.maxTextBytes) bytes")
            }
            return value
        }
        self.prefix = try value("prefix") ?? ""
        let delimiter = try value("delimiter")
        self.delimiter = delimiter?.isEmpty == true ? nil : delimiter
        if let text = try value("max-keys") {
            guard let number = Int(text), number >= 0 else {
                throw S3Error.invalidArgument("max-keys must be a number from 0 to 1000")
            }
            self.maxKeys = min(number, 1000)
        } else {
            self.maxKeys = 1000
        }
        switch try value("encoding-type") {
        case nil: self.urlEncoded = false
        case "url": self.urlEncoded = true
        case let other?: throw S3Error.invalidArgument("encoding-type may only be url, not \(other)")
        }
        self.startAfter = try value("start-after")
        self.continuationToken = try value("continuation-token")
        if let token = self.continuationToken {
            guard let decoded = Base64.decode(token).flatMap({ String(validating: $0, as: UTF8.self) }),
                decoded.hasPrefix(bucket + "/")
            else { throw S3Error.invalidArgument("the continuation token is not one this bucket's listing gave") }
            self.after = decoded
        } else {
            self.after = self.startAfter.map { bucket + "/" + $0 }
        }
    }

    /// The opaque token that continues a listing after `last` (a full state name or common
    /// prefix).
    static func token(after last: String) -> String { Base64.encode(Array(last.utf8)) }
}
