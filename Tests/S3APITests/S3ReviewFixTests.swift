import Crypto
import HTTPServer
import SystemSupport
import Testing

@testable import S3API

/// What a review of the endpoint found, each kept found: bounds on aws-chunked lengths, listings
/// that never name an unreadable state, encryption under a client's own key refused, last use
/// recorded only for a signature that holds, and CompleteMultipartUpload's object checksums.
struct S3ReviewFixTests {
    let f = S3Fixture()

    @Test func anAWSChunkedLengthIsBoundedByTheBodyAndTheOperation() {
        let chunked: [(String, String)] = [
            ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "1152921504606846976"),
            ("Content-Length", "5"),
        ]
        // A reader's GET with an absurd decoded length is refused, not allocated.
        let get = f.s3(
            "GET", "/infra/x", as: "viewer", headers: chunked, body: Array("0\r\n\r\n".utf8),
            payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        #expect(get.status.code == 400)
        let put = f.s3(
            "PUT", "/infra/x", headers: chunked, body: Array("0\r\n\r\n".utf8),
            payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        #expect(put.status.code == 400)
        #expect(put.code == "InvalidRequest")
        let lock = f.s3(
            "PUT", "/infra/x.tflock",
            headers: [("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "100000")],
            body: Array("0\r\n\r\n".utf8), payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        #expect(lock.code == "EntityTooLarge")
    }

    @Test func aContinuationNeverNamesAStateTheCallerMayNotRead() throws {
        for name in ["a", "b-secret-merger", "c"] {
            #expect(f.s3("PUT", "/infra/" + name, body: S3Fixture.state(serial: 1)).status.code == 200)
        }
        let first = f.s3("GET", "/infra?list-type=2&max-keys=1", as: "partial")
        #expect(first.text.contains("<Key>a</Key>"))
        let token = try #require(
            first.text.firstRange(of: "<NextContinuationToken>").map { start in
                String(first.text[start.upperBound...].prefix { $0 != "<" })
            })
        let decoded = String(decoding: Base64.decode(token) ?? [], as: UTF8.self)
        #expect(decoded == "infra/a")
        let second = f.s3(
            "GET", "/infra?list-type=2&max-keys=1&continuation-token=" + SigV4.encode(token), as: "partial")
        #expect(second.text.contains("<Key>c</Key>"))
        #expect(!second.text.contains("secret"))
    }

    @Test func encryptionUnderTheClientsOwnKeyIsRefused() {
        let state = S3Fixture.state(serial: 1)
        #expect(
            f.s3("PUT", "/infra/k", headers: [("x-amz-server-side-encryption", "aws:kms")], body: state).code
                == "NotImplemented")
        #expect(
            f.s3(
                "PUT", "/infra/k",
                headers: [
                    ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
                    ("x-amz-server-side-encryption-customer-key", "a2V5"),
                ], body: state
            ).code == "NotImplemented")
        #expect(f.s3("GET", "/infra/k").code == "NoSuchKey")
        #expect(
            f.s3("PUT", "/infra/k", headers: [("x-amz-server-side-encryption", "AES256")], body: state).status.code
                == 200)
    }

    @Test func aWrongSignatureDoesNotMakeAKeyLookUsed() {
        let signer = f.keys["ci"]!
        let wrong = TestSigner(accessKeyID: signer.accessKeyID, secret: signer.secret + "x")
        let target = "/s3/infra/x"
        #expect(
            f.send("GET", target, headers: wrong.sign("GET", target, time: amzDate(f.clock.seconds))).code
                == "SignatureDoesNotMatch")
        #expect(f.http("GET", "/api/v1/tokens", as: "ci").text.contains(#""last_used_at":null"#))
        #expect(f.s3("GET", "/infra/x", as: "ci").code == "NoSuchKey")
        #expect(!f.http("GET", "/api/v1/tokens", as: "ci").text.contains(#""last_used_at":null"#))
    }

    @Test func completeMultipartUploadsChecksumHeadersAreTheObjectsNotTheDocuments() throws {
        let created = f.s3("POST", "/infra/big?uploads", as: "ci")
        let uploadID = try #require(
            created.text.firstRange(of: "<UploadId>").map {
                String(created.text[$0.upperBound...].prefix { $0 != "<" })
            })
        let state = S3Fixture.state(serial: 1)
        let part = f.s3("PUT", "/infra/big?partNumber=1&uploadId=\(uploadID)", as: "ci", body: state)
        let etag = try #require(part.headers["ETag"])
        let document =
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\(etag)</ETag></Part></CompleteMultipartUpload>"
        let completed = f.s3(
            "POST", "/infra/big?uploadId=\(uploadID)", as: "ci",
            headers: [
                ("x-amz-checksum-crc32", Base64.encode(ChecksumAlgorithm.crc32.digest(state))),
                ("x-amz-checksum-type", "FULL_OBJECT"),
            ], body: Array(document.utf8))
        #expect(completed.status.code == 200, "\(completed.text)")
        #expect(f.s3("GET", "/infra/big").body == state)
    }
}
