import Domain
import HTTPServer
import Testing

@testable import S3API

/// Which operation a request is, from its method, path and query names; everything else a clear
/// `NotImplemented` (or 405 for a method S3 has no use for).
struct S3RouteTests {
    private func route(_ method: String, _ target: String, headers: [(String, String)] = []) throws(S3Error)
        -> S3Route
    {
        let parsed = try! RequestTarget(parsing: target)
        return try S3Route(method: method, path: parsed.path, query: parsed.query, headers: HTTPHeaders(headers))
    }

    private func refusal(_ method: String, _ target: String, headers: [(String, String)] = []) -> S3Error? {
        do {
            _ = try self.route(method, target, headers: headers)
            return nil
        } catch {
            return error
        }
    }

    @Test func theCallsOfTheS3BackendsAreRouted() throws {
        #expect(
            try self.route("GET", "/infra?list-type=2&max-keys=1000&prefix=env%3A%2F") == .listObjects(bucket: "infra"))
        #expect(try self.route("HEAD", "/infra") == .headBucket(bucket: "infra"))
        #expect(
            try self.route("GET", "/infra/env%3A/dev/team/app.tfstate?x-id=GetObject")
                == .getObject(bucket: "infra", key: "env:/dev/team/app.tfstate", head: false))
        #expect(
            try self.route("HEAD", "/infra/team/app.tfstate")
                == .getObject(bucket: "infra", key: "team/app.tfstate", head: true))
        #expect(
            try self.route("PUT", "/infra/team/app.tfstate.tflock?x-id=PutObject")
                == .putObject(bucket: "infra", key: "team/app.tfstate.tflock"))
        #expect(
            try self.route("DELETE", "/infra/team/app.tfstate.tflock?x-id=DeleteObject")
                == .deleteObject(bucket: "infra", key: "team/app.tfstate.tflock"))
        #expect(
            try self.route("POST", "/infra/big.tfstate?uploads") == .createUpload(bucket: "infra", key: "big.tfstate"))
        #expect(
            try self.route("PUT", "/infra/big.tfstate?partNumber=2&uploadId=u1&x-id=UploadPart")
                == .uploadPart(bucket: "infra", key: "big.tfstate", uploadID: "u1", part: "2"))
        #expect(
            try self.route("POST", "/infra/big.tfstate?uploadId=u1")
                == .completeUpload(bucket: "infra", key: "big.tfstate", uploadID: "u1"))
        #expect(
            try self.route("DELETE", "/infra/big.tfstate?uploadId=u1")
                == .abortUpload(bucket: "infra", key: "big.tfstate", uploadID: "u1"))
    }

    @Test func aPresignedURLsParametersAreNotASubresource() throws {
        let target =
            "/infra/a.tfstate?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=k%2F20261206%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20261206T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00"
        #expect(try self.route("GET", target) == .getObject(bucket: "infra", key: "a.tfstate", head: false))
    }

    @Test func everythingElseIsNotImplementedAndSaysWhat() {
        let cases: [(String, String, [(String, String)], String)] = [
            ("GET", "/", [], "ListBuckets"),
            ("GET", "/infra", [], "ListObjects (version 1"),
            ("GET", "/infra?location", [], "?location"),
            ("PUT", "/infra", [], "PUT on a bucket"),
            ("DELETE", "/infra", [], "DELETE on a bucket"),
            ("GET", "/infra?list-type=2&fetch-owner=true&versions", [], "versions"),
            ("GET", "/infra/a.tfstate?acl", [], "?acl"),
            ("PUT", "/infra/a.tfstate?tagging", [], "?tagging"),
            ("GET", "/infra/a.tfstate?partNumber=1", [], "?partNumber"),
            ("GET", "/infra/a.tfstate?versionId=3", [], "?versionId"),
            ("POST", "/infra?delete", [], "POST ?delete on a bucket"),
            ("POST", "/infra/a.tfstate", [], "POST on an object"),
            ("PUT", "/infra/a.tfstate", [("x-amz-copy-source", "/infra/b")], "CopyObject"),
        ]
        for (method, target, headers, words) in cases {
            let error = self.refusal(method, target, headers: headers)
            #expect(error?.status == 501, "\(method) \(target)")
            #expect(error?.code == "NotImplemented", "\(method) \(target)")
            #expect(error?.message.contains(words) == true, "\(method) \(target): \(error?.message ?? "")")
        }
        #expect(self.refusal("PATCH", "/infra/a.tfstate")?.code == "MethodNotAllowed")
        #expect(self.refusal("LOCK", "/infra")?.status == 405)
    }
}

/// Keys and the state names they stand for.
struct ObjectKeyTests {
    @Test func keysAreStatesInTheirBucketAndLockFilesTheirLocks() throws {
        #expect(try ObjectKey(bucket: "infra", key: "team/app.tfstate") == .state(StateName("infra/team/app.tfstate")))
        #expect(
            try ObjectKey(bucket: "infra", key: "env:/dev/team/app.tfstate")
                == .state(StateName("infra/env:/dev/team/app.tfstate")))
        #expect(
            try ObjectKey(bucket: "infra", key: "tf-envs/dev/team/app.tfstate")
                == .state(StateName("infra/tf-envs/dev/team/app.tfstate")))
        #expect(
            try ObjectKey(bucket: "infra", key: "team/app.tfstate.tflock") == .lock(StateName("infra/team/app.tfstate"))
        )
    }

    @Test func whatCannotBeAStateNameIsRefusedSayingWhy() {
        func code(_ bucket: String, _ key: String) -> String? {
            do {
                _ = try ObjectKey(bucket: bucket, key: key)
                return nil
            } catch { return error.code }
        }
        #expect(code("Infra", "a") == "InvalidBucketName")
        #expect(code("ab", "a") == "InvalidBucketName")
        #expect(code("-infra", "a") == "InvalidBucketName")
        #expect(code("infra_1", "a") == "InvalidBucketName")
        #expect(code("infra", "a b") == "InvalidArgument")
        #expect(code("infra", "a//b") == "InvalidArgument")
        #expect(code("infra", "../a") == "InvalidArgument")
        #expect(code("infra", String(repeating: "a", count: 250)) == "KeyTooLongError")
    }
}
