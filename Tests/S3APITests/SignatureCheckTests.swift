import Crypto
import HTTPServer
import SystemSupport
import Testing

@testable import S3API

/// Every request is signed, and a signature that does not hold, a time too far off, or a header
/// changed after signing is refused before its body is read.
struct SignatureCheckTests {
    let f = S3Fixture()
    let key = "/infra/team/app.tfstate"

    @Test func aRequestWithinTheSkewPassesAndOneBeyondItIsRefused() {
        #expect(f.s3("GET", key, secondsAgo: 899).code == "NoSuchKey")
        #expect(f.s3("GET", key, secondsAgo: -899).code == "NoSuchKey")
        let stale = f.s3("GET", key, secondsAgo: 901)
        #expect(stale.status.code == 403)
        #expect(stale.code == "RequestTimeTooSkewed")
        #expect(f.s3("GET", key, secondsAgo: -901).code == "RequestTimeTooSkewed")
    }

    @Test func aWrongSecretAChangedHeaderOrAnUnknownKeyIsRefused() {
        let signer = f.keys["root"]!
        let wrong = TestSigner(accessKeyID: signer.accessKeyID, secret: signer.secret + "x")
        var headers = wrong.sign("GET", "/s3" + key, time: amzDate(f.clock.seconds))
        let refused = f.send("GET", "/s3" + key, headers: headers)
        #expect(refused.status.code == 403)
        #expect(refused.code == "SignatureDoesNotMatch")

        headers = signer.sign("GET", "/s3" + key, headers: [("Range", "bytes=0-9")], time: amzDate(f.clock.seconds))
        headers.replaceOrAdd(name: "Range", value: "bytes=0-99")
        #expect(f.send("GET", "/s3" + key, headers: headers).code == "SignatureDoesNotMatch")

        headers = signer.sign("GET", "/s3" + key, time: amzDate(f.clock.seconds))
        #expect(f.send("GET", "/s3" + key + "?x-id=GetObject", headers: headers).code == "SignatureDoesNotMatch")

        let unknown = TestSigner(accessKeyID: "SHAKAAAAAAAAAAAAAAAA", secret: signer.secret)
        #expect(
            f.send("GET", "/s3" + key, headers: unknown.sign("GET", "/s3" + key, time: amzDate(f.clock.seconds))).code
                == "InvalidAccessKeyId")
    }

    @Test func unsignedAndMalformedRequestsAreRefused() {
        let anonymous = f.send("GET", "/s3" + key, headers: ["Host": "127.0.0.1"])
        #expect(anonymous.status.code == 403)
        #expect(anonymous.code == "AccessDenied")
        #expect(f.send("GET", "/s3" + key, headers: ["Authorization": "Basic cm9vdDpwdw=="]).code == "InvalidRequest")
        #expect(
            f.send("GET", "/s3" + key, headers: ["Authorization": "AWS4-HMAC-SHA256 Credential=x"]).code
                == "AuthorizationHeaderMalformed")
        // Every x-amz-* header must be signed.
        var headers = f.keys["root"]!.sign("GET", "/s3" + key, time: amzDate(f.clock.seconds))
        headers.add(name: "x-amz-meta-note", value: "added")
        #expect(f.send("GET", "/s3" + key, headers: headers).code == "AccessDenied")
    }

    @Test func aPresignedURLWorksUntilItExpires() {
        let signer = f.keys["root"]!
        let time = amzDate(f.clock.seconds)
        let day = String(time.prefix(8))
        let credential = "\(signer.accessKeyID)/\(day)/us-east-1/s3/aws4_request"
        let unsigned =
            "/s3\(key)?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=\(SigV4.encode(credential))"
            + "&X-Amz-Date=\(time)&X-Amz-Expires=60&X-Amz-SignedHeaders=host"
        let canonical = SigV4.canonicalRequest(
            method: "GET", rawTarget: unsigned, target: try! RequestTarget(parsing: unsigned),
            headers: ["Host": "127.0.0.1"], signedHeaders: ["host"], payloadHash: "UNSIGNED-PAYLOAD")
        let signature = SigV4.signature(
            SigV4.stringToSign(time: time, scope: "\(day)/us-east-1/s3/aws4_request", canonicalRequest: canonical),
            key: signer.key(day: day))
        let url = unsigned + "&X-Amz-Signature=\(signature)"
        #expect(f.s3("PUT", key, body: S3Fixture.state(serial: 1)).status.code == 200)
        #expect(f.send("GET", url, headers: ["Host": "127.0.0.1"]).body == S3Fixture.state(serial: 1))
        f.clock.advance(seconds: 61)
        #expect(f.send("GET", url, headers: ["Host": "127.0.0.1"]).code == "AccessDenied")
    }

    @Test func aRefusalComesBeforeTheBody() {
        let headers = f.keys["viewer"]!.sign("PUT", "/s3" + key, body: [1, 2, 3], time: amzDate(f.clock.seconds))
        let head = RequestHead(
            method: "PUT", rawTarget: "/s3" + key, target: try! RequestTarget(parsing: "/s3" + key), version: .http11,
            headers: headers)
        let incoming = IncomingRequest(
            head: head, id: "r", remoteAddress: "127.0.0.1:1", logger: S3Fixture.logger)
        guard case .refuse(let response) = f.s3.admit(incoming) else {
            Issue.record("a reader's PUT was admitted")
            return
        }
        #expect(response.status.code == 403)
    }
}
