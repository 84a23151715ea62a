import Application
import Crypto
import Domain
import HTTPServer
import Synchronization
import SystemSupport

/// Checks a request's AWS Signature Version 4 from its head alone, before a body byte is read:
/// the `Authorization` header form or the presigned query form, the time (within the allowed
/// skew, or the presigned URL's lifetime), the access key (looked up in the store on every
/// request, so a revoked key stops at once) and the signature over the headers and the declared
/// payload hash. What the body must then be is returned as `Payload`.
struct SignatureCheck {
    /// How the body was signed, to be checked once it is read.
    enum Payload {
        /// The body's SHA-256, lowercase hex, as `x-amz-content-sha256` declares it.
        case sha256(String)
        /// `UNSIGNED-PAYLOAD`: nothing to check beyond any checksum header.
        case unsigned
        /// An `aws-chunked` body of `length` bytes decoded (`x-amz-decoded-content-length`),
        /// each chunk signed when `signing` is there.
        case chunked(signing: AWSChunked.Signing?, length: Int)
    }

    /// A request whose signature holds.
    struct Verified {
        /// Who signed it.
        let principal: Principal
        /// Its body's promise.
        let payload: Payload
    }

    /// Presigned URLs live at most this long, as S3 allows.
    static let maxExpires = 604_800

    /// The longest a request's signing time may be from the server's clock, in seconds.
    let maxSkewSeconds: Int64
    /// The server's clock.
    let clock: any WallClock
    /// Looks an access key up.
    let keys: @Sendable (String) -> S3KeyCheck
    /// Records that a key signed a request whose signature held.
    let used: @Sendable (S3Credential) -> Void
    /// Binds a key's principal by the protected prefixes.
    let protect: @Sendable (Principal) -> Principal
    /// Counts a signature that did not hold, or a key that does not exist, from an address.
    let failed: @Sendable (String) -> Void
    /// Signing keys already derived, as the SDKs keep them: a key signs with the same one all day.
    let signingKeys = SigningKeys()

    /// The verified signer of `request`, or the S3 error to answer.
    func verify(_ request: IncomingRequest) throws(S3Error) -> Verified {
        let head = request.head
        let query = head.target.query
        let presigned = query.contains { $0.name == "X-Amz-Algorithm" }
        let credential: SigV4.Credential
        let time: String
        let payloadHash: String
        if presigned {
            (credential, time) = try self.presignedCredential(query)
            payloadHash = head.headers["x-amz-content-sha256"] ?? "UNSIGNED-PAYLOAD"
        } else {
            guard let authorization = head.headers["Authorization"] else {
                throw S3Error.accessDenied(
                    "anonymous requests are not allowed: sign them with an S3 key (statehouse token create --s3)")
            }
            guard authorization.hasPrefix(SigV4.algorithm + " ") else {
                throw S3Error.invalidRequest(S3Route.version2)
            }
            guard let parsed = SigV4.Credential(authorization: authorization) else {
                throw S3Error(
                    400, "AuthorizationHeaderMalformed",
                    "the Authorization header is not AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…")
            }
            guard let date = head.headers["x-amz-date"] else {
                throw S3Error.accessDenied("AWS authentication requires an x-amz-date header")
            }
            guard let declared = head.headers["x-amz-content-sha256"] else {
                throw S3Error.invalidRequest("missing required header for this request: x-amz-content-sha256")
            }
            credential = parsed
            time = date
            payloadHash = declared
            try self.checkSkew(time)
            for field in head.headers where field.name.hasPrefixIgnoringCase("x-amz-") {
                let name = field.name.lowercased()
                guard credential.signedHeaders.contains(name) else {
                    throw S3Error.accessDenied(
                        "there were headers present in the request which were not signed: \(name)")
                }
            }
        }
        guard time.utf8.count == 16, time.hasPrefix(credential.day) else {
            throw S3Error(400, "AuthorizationHeaderMalformed", "the credential's date is not the day of x-amz-date")
        }
        guard credential.service == "s3" else {
            throw S3Error(400, "AuthorizationHeaderMalformed", "the credential's service must be s3")
        }
        guard credential.signedHeaders.contains("host"), credential.signedHeaders == credential.signedHeaders.sorted()
        else {
            throw S3Error(400, "AuthorizationHeaderMalformed", "the signed headers must be sorted and include host")
        }
        let declared = try Self.declared(payloadHash, head.headers)
        let key: S3Credential
        switch self.keys(credential.accessKeyID) {
        case .accepted(let found): key = found
        case .rejected:
            self.failed(request.remoteHost)
            throw S3Error(
                403, "InvalidAccessKeyId", "the access key ID you provided does not exist or is not valid now")
        case .unavailable(let why):
            // Why (the store's words, a key ring's key id) is for the log: the client is not
            // signed in yet.
            request.logger.warning("S3 key not checked", metadata: ["error": .string(why)])
            var error = S3Error(
                503, "ServiceUnavailable", "the access key cannot be checked now (request id \(request.id)); try again")
            error.retryAfter = 2
            throw error
        }
        let canonical = SigV4.canonicalRequest(
            method: head.method, rawTarget: head.rawTarget, target: head.target, headers: head.headers,
            signedHeaders: credential.signedHeaders, payloadHash: payloadHash)
        let stringToSign = SigV4.stringToSign(time: time, scope: credential.scope, canonicalRequest: canonical)
        let signingKey = self.signingKeys.key(
            secret: key.secret, accessKeyID: credential.accessKeyID, day: credential.day, region: credential.region)
        guard SigV4.matches(credential.signature, SigV4.signature(stringToSign, key: signingKey)) else {
            self.failed(request.remoteHost)
            var error = S3Error(
                403, "SignatureDoesNotMatch",
                "the request signature we calculated does not match the signature you provided; check your key and "
                    + "signing method")
            error.extra = [("AWSAccessKeyId", credential.accessKeyID), ("StringToSign", stringToSign)]
            throw error
        }
        let payload: Payload
        switch declared {
        case .sha256(let hex): payload = .sha256(hex)
        case .unsigned: payload = .unsigned
        case .chunked(signed: false, let length): payload = .chunked(signing: nil, length: length)
        case .chunked(signed: true, let length):
            payload = .chunked(
                signing: AWSChunked.Signing(
                    key: signingKey, time: time, scope: credential.scope, seed: credential.signature),
                length: length)
        }
        self.used(key)
        return Verified(principal: self.protect(key.principal), payload: payload)
    }

    /// The credential and time of a presigned URL, checked against its lifetime.
    private func presignedCredential(_ query: [RequestTarget.QueryItem]) throws(S3Error) -> (SigV4.Credential, String) {
        func value(_ name: String) -> String? { query.first { $0.name == name }?.value }
        guard value("X-Amz-Algorithm") == SigV4.algorithm, let credentialText = value("X-Amz-Credential"),
            let date = value("X-Amz-Date"), let expiresText = value("X-Amz-Expires"),
            let signed = value("X-Amz-SignedHeaders"), let signature = value("X-Amz-Signature"),
            let credential = SigV4.Credential(credential: credentialText, signedHeaders: signed, signature: signature)
        else {
            throw S3Error(
                400, "AuthorizationQueryParametersError",
                "a presigned URL needs X-Amz-Algorithm=AWS4-HMAC-SHA256, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, "
                    + "X-Amz-SignedHeaders and X-Amz-Signature")
        }
        guard let expires = Int(expiresText), (1...Self.maxExpires).contains(expires) else {
            throw S3Error(
                400, "AuthorizationQueryParametersError",
                "X-Amz-Expires must be a number of seconds from 1 to \(Self.maxExpires)")
        }
        let signedAt = try Self.seconds(date)
        let now = self.clock.now().microseconds / 1_000_000
        guard signedAt - now <= self.maxSkewSeconds else { throw S3Error.accessDenied("the request is not yet valid") }
        guard now <= signedAt + Int64(expires) else { throw S3Error.accessDenied("the request has expired") }
        return (credential, date)
    }

    /// Refuses a time further than the allowed skew from the server's clock.
    private func checkSkew(_ time: String) throws(S3Error) {
        let skew = try Self.seconds(time) - self.clock.now().microseconds / 1_000_000
        guard abs(skew) <= self.maxSkewSeconds else {
            throw S3Error(
                403, "RequestTimeTooSkewed",
                "the difference between the request time and the server's time is \(abs(skew)) s, more than "
                    + "the \(self.maxSkewSeconds) s allowed; check the client's clock")
        }
    }

    /// Seconds since the epoch of `yyyyMMdd'T'HHmmss'Z'`.
    static func seconds(_ time: String) throws(S3Error) -> Int64 {
        let bytes = Array(time.utf8)
        let malformed = S3Error.accessDenied("x-amz-date must be yyyyMMddTHHmmssZ, such as 20261206T151500Z")
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { throw malformed }
        let text =
            "\(time.prefix(4))-\(time.dropFirst(4).prefix(2))-\(time.dropFirst(6).prefix(2))T"
            + "\(time.dropFirst(9).prefix(2)):\(time.dropFirst(11).prefix(2)):\(time.dropFirst(13).prefix(2))Z"
        guard let timestamp = try? Timestamp(rfc3339: text) else { throw malformed }
        return timestamp.microseconds / 1_000_000
    }

    /// What `x-amz-content-sha256` declares, before the signing key is known.
    private enum Declared {
        case sha256(String)
        case unsigned
        case chunked(signed: Bool, length: Int)
    }

    /// What `x-amz-content-sha256` promises about the body.
    private static func declared(_ declared: String, _ headers: HTTPHeaders) throws(S3Error) -> Declared {
        switch declared {
        case "UNSIGNED-PAYLOAD":
            return .unsigned
        case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
            guard headers.tokens(of: "Content-Encoding").contains(where: { $0.lowercased() == "aws-chunked" }),
                let text = headers["x-amz-decoded-content-length"], let length = Int(text), length >= 0
            else {
                throw S3Error.invalidRequest(
                    "\(declared) needs Content-Encoding: aws-chunked and x-amz-decoded-content-length")
            }
            // The payload is never larger than the encoded body that carries it.
            if let sent = headers["Content-Length"].flatMap({ Int($0) }), length > sent {
                throw S3Error.invalidRequest("x-amz-decoded-content-length is larger than the body")
            }
            return .chunked(signed: declared.hasPrefix("STREAMING-AWS4"), length: length)
        default:
            guard declared.utf8.count == 64, Hex.decode(declared) != nil else {
                throw S3Error.invalidRequest(
                    "x-amz-content-sha256 must be the body's hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING- value")
            }
            return .sha256(declared.lowercased())
        }
    }
}

/// The signing keys derived lately, by access key, day, region and secret (a replaced secret
/// derives anew): four HMACs saved on every request but a key's first of the day. At most
/// `capacity` are kept; past it the table starts over.
final class SigningKeys: Sendable {
    private let keys = Mutex<[String: SymmetricKey]>([:])
    private let capacity: Int

    init(capacity: Int = 1024) { self.capacity = capacity }

    /// The key `secret` signs S3 requests with on `day` in `region`.
    func key(secret: String, accessKeyID: String, day: String, region: String) -> SymmetricKey {
        let name = "\(accessKeyID)\n\(day)\n\(region)\n\(secret)"
        if let key = self.keys.withLock({ $0[name] }) { return key }
        let key = SigV4.signingKey(secret: secret, day: day, region: region, service: "s3")
        self.keys.withLock { keys in
            if keys.count >= self.capacity { keys.removeAll(keepingCapacity: true) }
            keys[name] = key
        }
        return key
    }
}
