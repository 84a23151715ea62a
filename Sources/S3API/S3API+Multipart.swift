import Application
import Domain
import HTTPServer
import SystemSupport

extension S3API {
    /// CreateMultipartUpload: Terraform's uploader sends a state over 5 MiB in parts.
    func startUpload(_ name: StateName, bucket: String, key: String, caller: Caller) throws -> Response {
        let uploadID = try self.useCases.startUpload.execute(name, as: caller)
        var document = XMLWriter()
        document.open("InitiateMultipartUploadResult", namespaced: true)
        document.element("Bucket", bucket)
        document.element("Key", key)
        document.element("UploadId", uploadID)
        document.close("InitiateMultipartUploadResult")
        return Response(status: .ok, headers: ["Content-Type": "application/xml"], body: document.bytes)
    }

    /// UploadPart: one part, kept in the store until the upload completes or is aborted.
    func uploadPart(_ name: StateName, uploadID: String, part: Int, body: CheckedBody, caller: Caller) throws
        -> Response
    {
        let md5 = try self.useCases.storePart.execute(
            uploadID: uploadID, name: name, part: part, body: body.bytes, as: caller)
        var headers: HTTPHeaders = ["ETag": "\"\(Hex.encode(md5))\""]
        for (name, value) in body.echoed { headers.add(name: name, value: value) }
        return Response(status: .ok, headers: headers)
    }

    /// CompleteMultipartUpload: the parts listed, joined in order, written as one PutObject would
    /// write them (the same checks, the same lock fencing, one version).
    func completeUpload(
        _ name: StateName, bucket: String, key: String, uploadID: String, body: CheckedBody, request: Request,
        caller: Caller
    ) throws -> Response {
        guard let parts = CompleteMultipartDocument.parts(body.bytes), !parts.isEmpty else {
            throw S3Error(400, "MalformedXML", "the CompleteMultipartUpload document lists no parts or is not XML")
        }
        var listed: [(number: Int, etag: [UInt8])] = []
        for part in parts {
            guard let etag = Hex.decode(part.etag), etag.count == 16 else {
                throw S3Error(400, "InvalidPart", "part \(part.number)'s ETag is not one this server gave")
            }
            listed.append((part.number, etag))
        }
        let (_, etag) = try self.useCases.completeUpload.execute(
            uploadID: uploadID, name: name, parts: listed, precondition: try Self.precondition(request.headers),
            as: caller)
        var document = XMLWriter()
        document.open("CompleteMultipartUploadResult", namespaced: true)
        document.element("Location", request.path)
        document.element("Bucket", bucket)
        document.element("Key", key)
        document.element("ETag", "\"\(Hex.encode(etag))-\(parts.count)\"")
        document.close("CompleteMultipartUploadResult")
        return Response(status: .ok, headers: ["Content-Type": "application/xml"], body: document.bytes)
    }
}
