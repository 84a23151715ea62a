import Application
import Domain
import HTTPServer
import SystemSupport

extension S3API {
    /// Runs `action` with its checked `body`.
    func perform(_ action: S3Action, body: CheckedBody, request: Request, caller: Caller) throws(S3Error)
        -> Response
    {
        do {
            switch action {
            case .headBucket:
                return Response(status: .ok, headers: ["Content-Length": "0"])
            case .list(let bucket):
                return try self.list(bucket: bucket, request: request, caller: caller)
            case .readState(let name, _):
                return try self.readState(name, request: request, caller: caller)
            case .readLock(let name, _):
                return try self.readLock(name, request: request, caller: caller)
            case .writeState(let name):
                return try self.writeState(name, body: body, request: request, caller: caller)
            case .takeLock(let name):
                return try self.takeLock(name, body: body, caller: caller)
            case .deleteState(let name):
                return try self.deleteState(name, caller: caller)
            case .releaseLock(let name):
                return try self.releaseLock(name, request: request, caller: caller)
            case .startUpload(let name, let bucket, let key):
                return try self.startUpload(name, bucket: bucket, key: key, caller: caller)
            case .uploadPart(let name, let uploadID, let part):
                return try self.uploadPart(name, uploadID: uploadID, part: part, body: body, caller: caller)
            case .completeUpload(let name, let bucket, let key, let uploadID):
                return try self.completeUpload(
                    name, bucket: bucket, key: key, uploadID: uploadID, body: body, request: request, caller: caller)
            case .abortUpload(let name, let uploadID):
                try self.useCases.abortUpload.execute(uploadID: uploadID, name: name, as: caller)
                return Response(status: .noContent)
            }
        } catch let error as S3Error {
            throw error
        } catch let error as ApplicationError {
            self.metrics.outcomes.record(error)
            if error.kind == .notFound, action.isUpload {
                throw S3Error(404, "NoSuchUpload", error.message)
            }
            throw S3Error(error, logger: request.logger, requestID: request.id)
        } catch {
            throw S3Error(500, "InternalError", "internal error (request id \(request.id))")
        }
    }

    /// GetObject / HeadObject of a state: its latest version as written, whole or the range
    /// asked (the s3 backend reads in 5 MiB ranges).
    private func readState(_ name: StateName, request: Request, caller: Caller) throws -> Response {
        let content = try self.useCases.read.execute(name, as: caller, encoding: .identity)
        let version = content.version
        var headers = Self.objectHeaders(
            etag: Hex.encode(version.md5), modifiedAt: version.createdAt.microseconds / 1_000_000)
        headers.add(name: "x-amz-meta-statehouse-version", value: String(version.number))
        return Self.ranged(
            content.body, headers: headers, request: request,
            checksum: request.headers["x-amz-checksum-mode"]?.uppercased() == "ENABLED" ? version.sha256 : nil)
    }

    /// GetObject / HeadObject of a lock file: the holder's LockInfo exactly as it sent it, whether
    /// it locked over S3 or the http backend, so the client can name the holder and compare IDs.
    private func readLock(_ name: StateName, request: Request, caller: Caller) throws -> Response {
        guard let lock = try self.useCases.readLock.execute(name, as: caller) else {
            throw S3Error.noSuchKey(name.rawValue + ObjectKey.lockSuffix)
        }
        let json = lock.info.json
        let headers = Self.objectHeaders(
            etag: Hex.encode(StateBlob.md5(json)), modifiedAt: lock.acquiredAt.microseconds / 1_000_000)
        return Self.ranged(json, headers: headers, request: request, checksum: nil)
    }

    /// PutObject of a state: a new version, with the serial and lineage checks, fenced by the
    /// lock: a state locked by another principal refuses it (409), one locked by the same key
    /// takes it under that lock. `If-None-Match: *` and `If-Match` are checked in the same
    /// transaction.
    private func writeState(_ name: StateName, body: CheckedBody, request: Request, caller: Caller) throws -> Response {
        let command = WriteState.Command(
            name: name, body: body.bytes, fencing: .holderPrincipal,
            precondition: try Self.precondition(request.headers),
            contentMD5: nil)
        let record: VersionRecord
        switch try self.useCases.write.execute(command, as: caller) {
        case .stored(let stored): record = stored
        case .unchanged(let latest): record = latest
        }
        var headers: HTTPHeaders = ["ETag": "\"\(Hex.encode(record.md5))\""]
        for (name, value) in body.echoed { headers.add(name: name, value: value) }
        return Response(status: .ok, headers: headers)
    }

    /// PutObject of a lock file: takes the state's lock (the same lock as the http backend's
    /// LOCK). Held by another ID: 412, as S3 answers the `If-None-Match: *` the client sends.
    /// A lock file never overwrites another holder's lock, conditional or not.
    private func takeLock(_ name: StateName, body: CheckedBody, caller: Caller) throws -> Response {
        guard body.bytes.count <= LockInfo.maxBodyBytes else {
            throw S3Error(400, "EntityTooLarge", "a lock file is at most \(LockInfo.maxBodyBytes) bytes")
        }
        do {
            if try self.useCases.lock.execute(name, body: body.bytes, as: caller) == .acquired {
                self.metrics.lockAcquisitions.increment()
            }
        } catch let error as ApplicationError {
            guard case .locked(let holder) = error.kind else { throw error }
            self.metrics.lockConflicts.increment()
            throw S3Error.preconditionFailed(
                "If-None-Match",
                "\(name)\(ObjectKey.lockSuffix) exists: the state is locked by \(holder.info.id) "
                    + "(\(holder.info.operation) by \(holder.info.who))")
        }
        var headers: HTTPHeaders = ["ETag": "\"\(Hex.encode(StateBlob.md5(body.bytes)))\""]
        for (name, value) in body.echoed { headers.add(name: name, value: value) }
        return Response(status: .ok, headers: headers)
    }

    /// DeleteObject of a state: the http backend's DELETE (soft, admin only, refused while
    /// locked). A state that does not exist is deleted already: 204, as S3 answers.
    private func deleteState(_ name: StateName, caller: Caller) throws -> Response {
        do {
            try self.useCases.delete.execute(name, as: caller)
        } catch let error where error.kind == .notFound {
            // Nothing to delete.
        }
        return Response(status: .noContent)
    }

    /// DeleteObject of a lock file: releases the lock, whoever holds it — this is how the client
    /// unlocks and force-unlocks (it compares IDs itself first). 204 even when nothing was locked.
    private func releaseLock(_ name: StateName, request: Request, caller: Caller) throws -> Response {
        if case .released(let lock) = try self.useCases.releaseLock.execute(name, as: caller),
            lock.acquiredBy != caller.principal.name
        {
            self.metrics.outcomes.forceUnlocks.increment()
            request.logger.notice(
                "force-unlock",
                metadata: [
                    "state": .string(name.rawValue), "user": .string(caller.principal.name),
                    "lock.id": .string(lock.info.id), "lock.who": .string(lock.info.who),
                    "lock.operation": .string(lock.info.operation),
                ])
        }
        return Response(status: .noContent)
    }

    /// `ETag`, `Last-Modified`, `Content-Type`, `Accept-Ranges`.
    static func objectHeaders(etag: String, modifiedAt seconds: Int64) -> HTTPHeaders {
        [
            "ETag": "\"\(etag)\"", "Last-Modified": HTTPDate.string(secondsSince1970: seconds),
            "Content-Type": "application/json", "Accept-Ranges": "bytes",
        ]
    }

    /// `body` whole (200) or the range the request asks (206 with `Content-Range`; 416 past the
    /// end). The whole object's `checksum` (SHA-256) is sent only with the whole object.
    static func ranged(_ body: [UInt8], headers: HTTPHeaders, request: Request, checksum: [UInt8]?) -> Response {
        var headers = headers
        switch ByteRange(header: request.headers["Range"], size: body.count) {
        case .whole:
            if let checksum {
                headers.add(name: "x-amz-checksum-sha256", value: Base64.encode(checksum))
                headers.add(name: "x-amz-checksum-type", value: "FULL_OBJECT")
            }
            return Response(status: .ok, headers: headers, body: body)
        case .partial(let range):
            headers.add(name: "Content-Range", value: "bytes \(range.lowerBound)-\(range.upperBound)/\(body.count)")
            if let checksum, range.count == body.count {
                headers.add(name: "x-amz-checksum-sha256", value: Base64.encode(checksum))
                headers.add(name: "x-amz-checksum-type", value: "FULL_OBJECT")
            }
            return Response(status: HTTPStatus(code: 206), headers: headers, body: Array(body[range]))
        case .unsatisfiable:
            var error = S3Error(416, "InvalidRange", "the requested range is not satisfiable")
            error.extra = [("ActualObjectSize", String(body.count))]
            var response = error.response(resource: request.path, requestID: request.id)
            response.headers.add(name: "Content-Range", value: "bytes */\(body.count)")
            return response
        }
    }

    /// `If-None-Match: *` (create only) or `If-Match: "etag"` (replace only that version).
    static func precondition(_ headers: HTTPHeaders) throws(S3Error) -> WriteState.Precondition {
        if let match = headers["If-None-Match"] {
            guard match.trimmingSpacesAndTabs() == "*" else {
                throw S3Error.notImplemented("If-None-Match with an ETag on PutObject (only * is)")
            }
            return .absent
        }
        if let match = headers["If-Match"] {
            var etag = match.trimmingSpacesAndTabs()
            if etag.hasPrefix("\""), etag.hasSuffix("\""), etag.count >= 2 {
                etag = String(etag.dropFirst().dropLast())
            }
            guard etag.utf8.count == 32, let md5 = Hex.decode(etag) else {
                return .matching(md5: [])
            }
            return .matching(md5: md5)
        }
        return .none
    }

    /// The decoded `Content-MD5` header, when sent.
    static func contentMD5(_ headers: HTTPHeaders) throws(S3Error) -> [UInt8]? {
        guard let header = headers["Content-MD5"] else { return nil }
        guard let decoded = Base64.decode(header.trimmingSpacesAndTabs()), decoded.count == 16 else {
            throw S3Error(400, "InvalidDigest", "the Content-MD5 you specified is not valid")
        }
        return decoded
    }
}
