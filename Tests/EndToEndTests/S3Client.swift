import Crypto
import Foundation
import HTTPServer
import HTTPTestSupport
import SystemSupport

@testable import S3API

/// An S3 access key made as user ci through `POST /api/v1/tokens` with `"s3": true`.
struct S3Key: Sendable {
    let accessKeyID: String
    let secret: String

    init(accessKeyID: String, secret: String) {
        self.accessKeyID = accessKeyID
        self.secret = secret
    }

    /// Creates a key named `name` on `server` with `grants` (prefix → access).
    init(on server: StatehouseUnderTest, name: String, grants: [String: String]) throws {
        let document = try JSONSerialization.data(withJSONObject: ["name": name, "grants": grants, "s3": true])
        let reply = try server.client().request(
            "POST", "/api/v1/tokens", body: String(decoding: document, as: UTF8.self))
        guard reply.status == 201,
            let created = try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any],
            let id = created["access_key_id"] as? String, let secret = created["secret_access_key"] as? String
        else { throw TestEnvironmentError("creating S3 key \(name): \(reply.status) \(reply.text)") }
        self.init(accessKeyID: id, secret: secret)
    }

    /// What Terraform and the AWS SDKs read their credentials and region from.
    var environment: [String: String] {
        [
            "AWS_ACCESS_KEY_ID": self.accessKeyID, "AWS_SECRET_ACCESS_KEY": self.secret, "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }
}

/// S3 requests signed with a key (header form, hex SHA-256 of the body, as Terraform signs them)
/// over one kept-alive connection to a server's `/s3` endpoint.
struct S3Client {
    let connection: TestClient
    let key: S3Key

    init(port: Int, key: S3Key) throws {
        self.connection = try TestClient(port: port)
        self.key = key
    }

    /// Sends `method` on `target` (path and query, e.g. `/s3/infra/team/app.tfstate`, encoded as
    /// sent) with `headers` and `body`, every header signed, dated `date`.
    func request(
        _ method: String, _ target: String, body: [UInt8] = [], headers: [(String, String)] = [],
        date: Date = Date()
    ) throws -> TestClient.Reply {
        let time = amzDate(date)
        let payloadHash = Hex.encode(Array(SHA256.hash(data: body)))
        let fields =
            [("host", "127.0.0.1"), ("x-amz-date", time), ("x-amz-content-sha256", payloadHash)]
            + headers.map { ($0.0.lowercased(), $0.1) }
        let signed = fields.map(\.0).sorted()
        let scope = "\(time.prefix(8))/us-east-1/s3/aws4_request"
        let canonical = SigV4.canonicalRequest(
            method: method, rawTarget: target, target: try RequestTarget(parsing: target), headers: HTTPHeaders(fields),
            signedHeaders: signed, payloadHash: payloadHash)
        let signingKey = SigV4.signingKey(
            secret: self.key.secret, day: String(time.prefix(8)), region: "us-east-1", service: "s3")
        let signature = SigV4.signature(
            SigV4.stringToSign(time: time, scope: scope, canonicalRequest: canonical), key: signingKey)
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(self.key.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signed.joined(separator: ";")), Signature=\(signature)"
        var head = "\(method) \(target) HTTP/1.1\r\nAuthorization: \(authorization)\r\n"
        for (name, value) in fields { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        try self.connection.send(Array(head.utf8) + body)
        return try self.connection.readResponse(timeout: .seconds(60), headRequest: method == "HEAD")
    }
}

/// `yyyyMMdd'T'HHmmss'Z'` in UTC.
private func amzDate(_ date: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    return String(
        format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
        Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
}

/// The `<Code>` of an S3 error document, if there is one.
func s3ErrorCode(_ reply: TestClient.Reply) -> String? {
    guard let start = reply.text.range(of: "<Code>"), let end = reply.text.range(of: "</Code>") else { return nil }
    return String(reply.text[start.upperBound..<end.lowerBound])
}
