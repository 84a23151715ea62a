import Crypto
import Gzip
import HTTPServer
import SystemSupport

/// The additional checksums S3 clients send with a body (`x-amz-checksum-<algorithm>`, base64 of
/// the big-endian value or digest) and expect echoed back.
enum ChecksumAlgorithm: String, CaseIterable {
    case crc32
    case crc32c
    case crc64nvme
    case sha1
    case sha256

    /// `x-amz-checksum-sha256`.
    var header: String { "x-amz-checksum-\(self.rawValue)" }

    /// The algorithm named `name` (`SHA256`, `crc32c`, …), in either case.
    init?(name: String) {
        self.init(rawValue: name.lowercased())
    }

    /// The checksum of `bytes`, as the header carries it before base64.
    func digest(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .crc32: bigEndian(UInt64(Gzip.crc32(bytes)), bytes: 4)
        case .crc32c: bigEndian(UInt64(CRC.crc32c(bytes)), bytes: 4)
        case .crc64nvme: bigEndian(CRC.crc64nvme(bytes), bytes: 8)
        case .sha1: Array(Insecure.SHA1.hash(data: bytes))
        case .sha256: Array(SHA256.hash(data: bytes))
        }
    }
}

/// The checksums a request's headers announce for its body, checked once the body is read.
struct AnnouncedChecksums {
    /// Each announced checksum, decoded.
    private(set) var expected: [(ChecksumAlgorithm, [UInt8])] = []

    /// None announced.
    init() {}

    /// The `x-amz-checksum-*` headers of `headers`; `InvalidRequest` for one that is not base64
    /// of the algorithm's length, or more than one.
    init(headers: HTTPHeaders) throws(S3Error) {
        for field in headers where field.name.hasPrefixIgnoringCase("x-amz-checksum-") {
            let (name, value) = (field.name, field.value)
            let lowered = name.lowercased()
            guard lowered != "x-amz-checksum-mode", lowered != "x-amz-checksum-type",
                lowered != "x-amz-checksum-algorithm"
            else { continue }
            guard let algorithm = ChecksumAlgorithm(name: String(lowered.dropFirst("x-amz-checksum-".count))) else {
                throw S3Error.invalidRequest("the checksum \(name) is not one this server knows")
            }
            try self.add(algorithm, base64: value)
        }
    }

    /// Adds the checksum `value` (base64) of `algorithm`, from a trailer.
    mutating func add(_ algorithm: ChecksumAlgorithm, base64 value: String) throws(S3Error) {
        let length = algorithm.digest([]).count
        guard let decoded = Base64.decode(value.trimmingSpacesAndTabs()), decoded.count == length else {
            throw S3Error(400, "InvalidDigest", "\(algorithm.header) is not the base64 of \(length) bytes")
        }
        guard self.expected.isEmpty else {
            throw S3Error.invalidRequest("a request may carry one additional checksum, not several")
        }
        self.expected.append((algorithm, decoded))
    }

    /// Checks `body` against each announced checksum (its SHA-256 reused when already computed);
    /// the headers to echo, or `BadDigest`.
    func verify(_ body: [UInt8], sha256: [UInt8]?) throws(S3Error) -> [(String, String)] {
        try self.expected.map { (algorithm, value) throws(S3Error) in
            let actual = algorithm == .sha256 ? sha256 ?? algorithm.digest(body) : algorithm.digest(body)
            guard actual == value else {
                throw S3Error(
                    400, "BadDigest",
                    "the \(algorithm.rawValue.uppercased()) you specified did not match the calculated checksum")
            }
            return (algorithm.header, Base64.encode(value))
        }
    }
}

/// Table-driven reflected CRCs S3 offers besides zlib's CRC-32.
enum CRC {
    private static let crc32cTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0x82F6_3B78 : value >> 1 }
        return value
    }

    private static let crc64nvmeTable: [UInt64] = (0..<256).map { index in
        var value = UInt64(index)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0x9A6C_9329_AC4B_C9B5 : value >> 1 }
        return value
    }

    /// CRC-32C (Castagnoli).
    static func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = Self.crc32cTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }

    /// CRC-64/NVME.
    static func crc64nvme(_ bytes: [UInt8]) -> UInt64 {
        var crc: UInt64 = ~0
        for byte in bytes { crc = Self.crc64nvmeTable[Int((crc ^ UInt64(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }
}

private func bigEndian(_ value: UInt64, bytes count: Int) -> [UInt8] {
    (0..<count).reversed().map { UInt8(truncatingIfNeeded: value >> (UInt64($0) * 8)) }
}

extension String {
    /// Whether the text starts with `prefix` (lowercase ASCII), in any case.
    func hasPrefixIgnoringCase(_ prefix: String) -> Bool {
        let bytes = self.utf8
        return bytes.count >= prefix.utf8.count && zip(bytes, prefix.utf8).allSatisfy { $0 == $1 || $0 | 0x20 == $1 }
    }

    /// The text without leading and trailing spaces and tabs.
    func trimmingSpacesAndTabs() -> String {
        let isSpace = { (character: Character) in character == " " || character == "\t" }
        guard let first = self.firstIndex(where: { !isSpace($0) }), let last = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
