import HTTPServer
import SystemSupport
import Testing

@testable import S3API

/// The additional checksums, against the catalogue check values of "123456789".
struct ChecksumTests {
    let check = Array("123456789".utf8)

    @Test func eachAlgorithmGivesItsCheckValue() {
        #expect(Hex.encode(ChecksumAlgorithm.crc32.digest(self.check)) == "cbf43926")
        #expect(Hex.encode(ChecksumAlgorithm.crc32c.digest(self.check)) == "e3069283")
        #expect(Hex.encode(ChecksumAlgorithm.crc64nvme.digest(self.check)) == "ae8b14860a799888")
        #expect(Hex.encode(ChecksumAlgorithm.sha1.digest(self.check)) == "f7c3bc1d808e04732adf679965ccc34ca7ae3441")
        #expect(
            Hex.encode(ChecksumAlgorithm.sha256.digest(self.check))
                == "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225")
    }

    @Test func anAnnouncedChecksumIsVerifiedAndEchoed() throws {
        let body = Array("{\"version\":4}".utf8)
        for algorithm in ChecksumAlgorithm.allCases {
            let value = Base64.encode(algorithm.digest(body))
            let announced = try AnnouncedChecksums(headers: HTTPHeaders([(algorithm.header, value)]))
            let sha256 = ChecksumAlgorithm.sha256.digest(body)
            #expect(try announced.verify(body, sha256: sha256).map(\.1) == [value])
            let changed = body + [0x20]
            #expect(throws: S3Error.self) {
                try announced.verify(changed, sha256: nil)
            }
        }
    }

    @Test func aMalformedOrUnknownChecksumIsRefused() {
        func code(_ headers: [(String, String)]) -> String? {
            do {
                _ = try AnnouncedChecksums(headers: HTTPHeaders(headers))
                return nil
            } catch { return error.code }
        }
        #expect(code([("x-amz-checksum-sha256", "AAAA")]) == "InvalidDigest")
        #expect(code([("x-amz-checksum-crc32", "not base64!")]) == "InvalidDigest")
        #expect(code([("x-amz-checksum-md7", "AAAAAA==")]) == "InvalidRequest")
        #expect(
            code([("x-amz-checksum-crc32", "AAAAAA=="), ("x-amz-checksum-crc32c", "AAAAAA==")]) == "InvalidRequest")
        #expect(code([("x-amz-checksum-mode", "ENABLED"), ("x-amz-checksum-type", "FULL_OBJECT")]) == nil)
    }
}
