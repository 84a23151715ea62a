import Crypto
import HTTPServer
import SystemSupport
import Testing

@testable import S3API

/// The operations the s3 backends call, over the same states, locks and audit log as the http
/// backend.
struct S3EndpointTests {
    let f = S3Fixture()
    let key = "/infra/team/app.tfstate"

    @Test func aStateWrittenOverS3ReadsBackWholeAndInRanges() throws {
        let state = S3Fixture.state(serial: 1)
        let md5 = Hex.encode(Array(Insecure.MD5.hash(data: state)))
        let put = f.s3(
            "PUT", key + "?x-id=PutObject", headers: [("Content-Type", "application/json")], body: state)
        #expect(put.status.code == 200)
        #expect(put.headers["ETag"] == "\"\(md5)\"")
        #expect(put.headers["x-amz-request-id"] == "req-1")

        let get = f.s3("GET", key + "?x-id=GetObject", headers: [("x-amz-checksum-mode", "ENABLED")])
        #expect(get.status.code == 200)
        #expect(get.body == state)
        #expect(get.headers["ETag"] == "\"\(md5)\"")
        #expect(get.headers["Content-Type"] == "application/json")
        #expect(get.headers["Accept-Ranges"] == "bytes")
        #expect(get.headers["Last-Modified"]?.hasSuffix("GMT") == true)
        #expect(get.headers["x-amz-checksum-sha256"] == Base64.encode(Array(SHA256.hash(data: state))))

        // Terraform's downloader asks for 5 MiB parts: a smaller state comes whole, as 206.
        let first = f.s3("GET", key, headers: [("Range", "bytes=0-5242879"), ("x-amz-checksum-mode", "ENABLED")])
        #expect(first.status.code == 206)
        #expect(first.body == state)
        #expect(first.headers["Content-Range"] == "bytes 0-\(state.count - 1)/\(state.count)")
        #expect(first.headers["x-amz-checksum-sha256"] != nil)
        let part = f.s3("GET", key, headers: [("Range", "bytes=10-19"), ("x-amz-checksum-mode", "ENABLED")])
        #expect(part.status.code == 206)
        #expect(part.body == Array(state[10...19]))
        #expect(part.headers["x-amz-checksum-sha256"] == nil)
        let past = f.s3("GET", key, headers: [("Range", "bytes=\(state.count)-")])
        #expect(past.status.code == 416)
        #expect(past.code == "InvalidRange")
        #expect(past.headers["Content-Range"] == "bytes */\(state.count)")

        let head = f.s3("HEAD", key)
        #expect(head.status.code == 200)
        #expect(head.body.count == state.count)

        // The same state through the http backend and the management API.
        #expect(f.http("GET", "/state/infra/team/app.tfstate").body == state)
        #expect(f.http("GET", "/api/v1/states/infra/team/app.tfstate/versions").text.contains("\"serial\":1"))
    }

    @Test func noStateIsNoSuchKeyAndALockAloneIsNoObject() {
        let missing = f.s3("GET", key)
        #expect(missing.status.code == 404)
        #expect(missing.code == "NoSuchKey")
        #expect(missing.text.contains("<RequestId>req-1</RequestId>"))
        #expect(f.s3("HEAD", key).status.code == 404)
        // LOCK creates the state's row but no version: still no object.
        #expect(f.http("LOCK", "/state/infra/team/app.tfstate", body: "{\"ID\":\"h1\"}").status.code == 200)
        #expect(f.s3("HEAD", key).status.code == 404)
        #expect(f.s3("GET", key).code == "NoSuchKey")
    }

    @Test func theLockFileIsTheStatesOneLock() {
        let info = S3Fixture.lockInfo(id: "s3-lock")
        let take = f.s3("PUT", key + ".tflock?x-id=PutObject", as: "ci", headers: [("If-None-Match", "*")], body: info)
        #expect(take.status.code == 200)
        // A retry of the same lock succeeds; another ID is refused as S3 refuses If-None-Match: *.
        #expect(
            f.s3("PUT", key + ".tflock", as: "ci", headers: [("If-None-Match", "*")], body: info).status.code == 200)
        let other = f.s3(
            "PUT", key + ".tflock", headers: [("If-None-Match", "*")], body: S3Fixture.lockInfo(id: "another"))
        #expect(other.status.code == 412)
        #expect(other.code == "PreconditionFailed")
        #expect(other.text.contains("<Condition>If-None-Match</Condition>"))
        #expect(other.text.contains("s3-lock"))
        // Without the condition it still never overwrites another holder's lock.
        #expect(f.s3("PUT", key + ".tflock", body: S3Fixture.lockInfo(id: "another")).status.code == 412)

        // The http backend sees the S3 holder, byte for byte.
        let httpLock = f.http("LOCK", "/state/infra/team/app.tfstate", body: "{\"ID\":\"http-lock\"}")
        #expect(httpLock.status.code == 409)
        #expect(httpLock.body == info)
        #expect(f.http("GET", "/api/v1/locks").text.contains("\"id\":\"s3-lock\""))
        let read = f.s3("GET", key + ".tflock?x-id=GetObject", as: "viewer")
        #expect(read.status.code == 200)
        #expect(read.body == info)

        #expect(f.s3("DELETE", key + ".tflock?x-id=DeleteObject", as: "ci").status.code == 204)
        #expect(f.s3("GET", key + ".tflock").code == "NoSuchKey")
        #expect(f.s3("DELETE", key + ".tflock", as: "ci").status.code == 204)

        // And the other way round: an http LOCK refuses the lock file and is what it reads.
        let httpInfo = S3Fixture.lockInfo(id: "http-lock", who: "laptop")
        #expect(
            f.http("LOCK", "/state/infra/team/app.tfstate", body: String(decoding: httpInfo, as: UTF8.self)).status.code
                == 200)
        #expect(
            f.s3("PUT", key + ".tflock", as: "ci", headers: [("If-None-Match", "*")], body: info).status.code == 412)
        #expect(f.s3("GET", key + ".tflock", as: "ci").body == httpInfo)
    }

    @Test func writesAreFencedByWhoeverHoldsTheLock() {
        #expect(
            f.s3(
                "PUT", key + ".tflock", as: "ci", headers: [("If-None-Match", "*")], body: S3Fixture.lockInfo(id: "L1")
            ).status.code == 200)
        #expect(f.s3("PUT", key, as: "ci", body: S3Fixture.state(serial: 1)).status.code == 200)
        #expect(f.http("GET", "/api/v1/states/infra/team/app.tfstate/versions").text.contains("\"lock_id\":\"L1\""))
        let refused = f.s3("PUT", key, body: S3Fixture.state(serial: 2))
        #expect(refused.status.code == 409)
        #expect(refused.code == "StateLocked")
        #expect(refused.text.contains("L1"))
        // The http backend's writer without the lock's ID is refused too.
        #expect(
            f.http(
                "POST", "/state/infra/team/app.tfstate",
                body: String(decoding: S3Fixture.state(serial: 2), as: UTF8.self)
            ).status.code == 409)
        // A stale serial is a conflict no client retries.
        let stale = f.s3("PUT", key, as: "ci", body: S3Fixture.state(serial: 0))
        #expect(stale.status.code == 409)
        #expect(stale.code == "StateConflict")
    }

    @Test func releasingAnotherHoldersLockFileIsAForceUnlock() {
        #expect(f.s3("PUT", key + ".tflock", as: "ci", body: S3Fixture.lockInfo(id: "L1")).status.code == 200)
        #expect(f.s3("DELETE", key + ".tflock").status.code == 204)
        #expect(f.http("GET", "/api/v1/locks").text.contains("L1") == false)
        let audit = f.http("GET", "/api/v1/audit?action=force-unlock").text
        #expect(audit.contains("\"lock_id\":\"L1\""))
        #expect(f.s3("PUT", key + ".tflock", as: "ci", body: S3Fixture.lockInfo(id: "L2")).status.code == 200)
        #expect(f.s3("DELETE", key + ".tflock", as: "ci").status.code == 204)
        #expect(f.http("GET", "/api/v1/audit?action=unlock").text.contains("\"lock_id\":\"L2\""))
        #expect(f.http("GET", "/api/v1/audit?action=force-unlock").text.contains("L2") == false)
    }

    @Test func conditionalWritesAreCheckedWithTheWrite() {
        #expect(
            f.s3("PUT", key, headers: [("If-None-Match", "*")], body: S3Fixture.state(serial: 1)).status.code == 200)
        let again = f.s3("PUT", key, headers: [("If-None-Match", "*")], body: S3Fixture.state(serial: 2))
        #expect(again.status.code == 412)
        #expect(again.code == "PreconditionFailed")
        let etag = f.s3("HEAD", key).headers["ETag"]!
        #expect(f.s3("PUT", key, headers: [("If-Match", etag)], body: S3Fixture.state(serial: 2)).status.code == 200)
        #expect(f.s3("PUT", key, headers: [("If-Match", etag)], body: S3Fixture.state(serial: 3)).status.code == 412)
    }

    @Test func bodiesAreCheckedAgainstWhatTheHeadPromised() {
        let state = S3Fixture.state(serial: 1)
        let mismatch = f.s3("PUT", key, body: state, payloadHash: String(repeating: "0", count: 64))
        #expect(mismatch.status.code == 400)
        #expect(mismatch.code == "XAmzContentSHA256Mismatch")
        let sha = Base64.encode(Array(SHA256.hash(data: state)))
        let echoed = f.s3("PUT", key, headers: [("x-amz-checksum-sha256", sha)], body: state)
        #expect(echoed.status.code == 200)
        #expect(echoed.headers["x-amz-checksum-sha256"] == sha)
        let wrong = f.s3(
            "PUT", key, headers: [("x-amz-checksum-crc32", "AAAAAA==")], body: S3Fixture.state(serial: 2))
        #expect(wrong.code == "BadDigest")
        let md5 = f.s3(
            "PUT", key, headers: [("Content-MD5", Base64.encode([UInt8](repeating: 0, count: 16)))],
            body: S3Fixture.state(serial: 2))
        #expect(md5.code == "BadDigest")
        let zeros = Base64.encode([UInt8](repeating: 0, count: 16))
        let lock = f.s3("PUT", key + ".tflock", headers: [("Content-MD5", zeros)], body: S3Fixture.lockInfo(id: "L"))
        #expect(lock.code == "BadDigest")
        #expect(f.s3("GET", key + ".tflock").code == "NoSuchKey")
        let info = S3Fixture.lockInfo(id: "L")
        let right = Base64.encode(Array(Insecure.MD5.hash(data: info)))
        #expect(f.s3("PUT", key + ".tflock", headers: [("Content-MD5", right)], body: info).status.code == 200)
        #expect(f.http("GET", "/api/v1/states/infra/team/app.tfstate/versions").text.contains("\"serial\":2") == false)
        let notJSON = f.s3("PUT", key, body: Array("not a state".utf8))
        #expect(notJSON.status.code == 400)
        #expect(notJSON.code == "InvalidArgument")
    }

    @Test func anAWSChunkedBodyWithATrailingChecksumIsStored() {
        let state = S3Fixture.state(serial: 1)
        let crc = Base64.encode(ChecksumAlgorithm.crc32.digest(state))
        let body = Array(
            ("\(String(state.count, radix: 16))\r\n".utf8) + state
                + Array("\r\n0\r\nx-amz-checksum-crc32:\(crc)\r\n\r\n".utf8))
        let put = f.s3(
            "PUT", key,
            headers: [
                ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", String(state.count)),
                ("x-amz-trailer", "x-amz-checksum-crc32"),
            ], body: body, payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        #expect(put.status.code == 200)
        #expect(put.headers["x-amz-checksum-crc32"] == crc)
        #expect(f.s3("GET", key).body == state)
    }

    @Test func deletingAStateNeedsAdminAndAnAbsentOneIsDeletedAlready() {
        #expect(f.s3("PUT", key, as: "ci", body: S3Fixture.state(serial: 1)).status.code == 200)
        let refused = f.s3("DELETE", key, as: "ci")
        #expect(refused.status.code == 403)
        #expect(refused.code == "AccessDenied")
        #expect(f.s3("DELETE", key).status.code == 204)
        #expect(f.s3("GET", key).code == "NoSuchKey")
        #expect(f.s3("DELETE", key).status.code == 204)
        #expect(f.http("GET", "/api/v1/audit?action=delete").text.contains("infra/team/app.tfstate"))
    }

    @Test func grantsApplyAsForTheHTTPBackend() {
        #expect(f.s3("PUT", key, as: "viewer", body: S3Fixture.state(serial: 1)).code == "AccessDenied")
        #expect(f.s3("PUT", key, as: "other", body: S3Fixture.state(serial: 1)).code == "AccessDenied")
        #expect(f.s3("PUT", key + ".tflock", as: "viewer", body: S3Fixture.lockInfo(id: "x")).code == "AccessDenied")
        #expect(f.s3("HEAD", "/infra", as: "ci").status.code == 200)
        #expect(f.s3("HEAD", "/infra", as: "other").status.code == 403)
    }

    @Test func workspacesAreListedAsTheS3BackendListsThem() throws {
        for name in ["team/app.tfstate", "env:/dev/team/app.tfstate", "env:/prod/team/app.tfstate", "zeta/b.tfstate"] {
            #expect(f.s3("PUT", "/infra/" + name, body: S3Fixture.state(serial: 1)).status.code == 200)
        }
        #expect(f.s3("PUT", "/other/x.tfstate", body: S3Fixture.state(serial: 1)).status.code == 200)
        // A state that has only been locked is not an object.
        #expect(
            f.s3("PUT", "/infra/env:/stage/team/app.tfstate.tflock", body: S3Fixture.lockInfo(id: "x")).status.code
                == 200)

        let workspaces = f.s3("GET", "/infra?list-type=2&max-keys=1000&prefix=env%3A%2F", as: "ci")
        #expect(workspaces.status.code == 200)
        #expect(workspaces.headers["Content-Type"] == "application/xml")
        #expect(keys(workspaces) == ["env:/dev/team/app.tfstate", "env:/prod/team/app.tfstate"])
        #expect(workspaces.text.contains("<KeyCount>2</KeyCount>"))
        #expect(workspaces.text.contains("<IsTruncated>false</IsTruncated>"))

        let grouped = f.s3("GET", "/infra?list-type=2&delimiter=%2F", as: "ci")
        #expect(keys(grouped) == [])
        #expect(prefixes(grouped) == ["env:/", "team/", "zeta/"])

        let encoded = f.s3("GET", "/infra?list-type=2&prefix=env%3A%2Fd&encoding-type=url", as: "ci")
        #expect(keys(encoded) == ["env%3A%2Fdev%2Fteam%2Fapp.tfstate"])

        // Paging one key at a time with the continuation token finds each once.
        var found: [String] = []
        var token: String? = nil
        for _ in 0..<10 {
            let query =
                "/infra?list-type=2&max-keys=1" + (token.map { "&continuation-token=" + SigV4.encode($0) } ?? "")
            let page = f.s3("GET", query, as: "ci")
            found += keys(page)
            token = element("NextContinuationToken", in: page).first
            if token == nil { break }
        }
        #expect(
            found == ["env:/dev/team/app.tfstate", "env:/prod/team/app.tfstate", "team/app.tfstate", "zeta/b.tfstate"])
        // A reader of nothing in the bucket sees nothing, without an error.
        #expect(keys(f.s3("GET", "/infra?list-type=2", as: "other")) == [])
        #expect(f.s3("GET", "/infra?list-type=2&continuation-token=bm9wZQ", as: "ci").code == "InvalidArgument")
        #expect(f.s3("GET", "/infra?list-type=2&max-keys=-1", as: "ci").code == "InvalidArgument")
    }

    @Test func aLargeStateArrivesInParts() throws {
        var state = S3Fixture.state(serial: 1)
        state.removeLast()  // the closing brace
        let filler = ",\"padding\":\"" + String(repeating: "x", count: 6 << 20) + "\"}"
        state += Array(filler.utf8)
        let created = f.s3("POST", key + "?uploads", as: "ci")
        #expect(created.status.code == 200)
        let uploadID = try #require(element("UploadId", in: created).first)
        let split = 5 << 20
        var etags: [String] = []
        for (number, range) in [(1, 0..<split), (2, split..<state.count)] {
            let part = f.s3(
                "PUT", key + "?partNumber=\(number)&uploadId=\(uploadID)", as: "ci", body: Array(state[range]))
            #expect(part.status.code == 200)
            etags.append(try #require(part.headers["ETag"]))
        }
        let document =
            "<CompleteMultipartUpload>"
            + etags.enumerated().map {
                "<Part><PartNumber>\($0.offset + 1)</PartNumber><ETag>\($0.element)</ETag></Part>"
            }
            .joined() + "</CompleteMultipartUpload>"
        let completed = f.s3("POST", key + "?uploadId=\(uploadID)", as: "ci", body: Array(document.utf8))
        #expect(completed.status.code == 200)
        #expect(completed.text.contains("<Key>team/app.tfstate</Key>"))
        let read = f.s3("GET", key)
        #expect(read.body.count == state.count)
        #expect(Array(SHA256.hash(data: read.body)) == Array(SHA256.hash(data: state)))
        #expect(f.s3("POST", key + "?uploadId=\(uploadID)", as: "ci", body: Array(document.utf8)).status.code == 404)
        let aborted = f.s3("POST", key + "?uploads", as: "ci")
        let abortID = try #require(element("UploadId", in: aborted).first)
        #expect(f.s3("DELETE", key + "?uploadId=\(abortID)", as: "ci").status.code == 204)
    }

    private func element(_ name: String, in response: Response) -> [String] {
        var found: [String] = []
        var rest = Substring(response.text)
        while let open = rest.firstRange(of: "<\(name)>"),
            let close = rest[open.upperBound...].firstRange(of: "</\(name)>")
        {
            found.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return found
    }

    private func keys(_ response: Response) -> [String] { element("Key", in: response) }

    private func prefixes(_ response: Response) -> [String] {
        element("CommonPrefixes", in: response).map {
            $0.replacing("<Prefix>", with: "").replacing("</Prefix>", with: "")
        }
    }
}
