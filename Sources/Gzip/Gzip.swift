import CZlib

/// gzip (RFC 1952) compression over zlib.
///
/// Statehouse stores state blobs gzip-compressed and serves the stored bytes as they are to
/// clients that accept `Content-Encoding: gzip`, so the output must be a complete gzip member.
public enum Gzip {
    /// Why (de)compression failed.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// What went wrong.
        public let description: String
    }

    /// The CRC-32 of `bytes` (the gzip trailer's checksum, zlib's `crc32`).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    /// zlib's `windowBits` for a gzip wrapper with the largest window.
    private static let gzipWindowBits: Int32 = 15 + 16

    /// Compresses `bytes` into one gzip member at `level` (1 fastest … 9 smallest).
    public static func compress(_ bytes: [UInt8], level: Int32 = 1) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        let initialised = deflateInit2_(
            &stream, level, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        guard initialised == Z_OK else { throw Failure(description: "deflateInit2 failed (\(initialised))") }
        defer { deflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        let result: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { throw Failure(description: "deflate failed (\(result))") }
        // A right-sized copy: trimming would keep the body-sized capacity alive with the blob.
        return Array(output[0..<Int(stream.total_out)])
    }

    /// Decompresses a gzip member, refusing to produce more than `limit` bytes.
    public static func decompress(_ bytes: [UInt8], limit: Int = .max, sizeHint: Int = 0) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        let initialised = inflateInit2_(&stream, gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initialised == Z_OK else { throw Failure(description: "inflateInit2 failed (\(initialised))") }
        defer { inflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: max(min(sizeHint, limit), 16384))
        var produced = 0
        var status: Int32 = Z_OK
        try bytes.withUnsafeBufferPointer { (input) throws(Failure) in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            while status != Z_STREAM_END {
                if produced == output.count {
                    guard output.count < limit else {
                        throw Failure(description: "decompressed data larger than \(limit) bytes")
                    }
                    output.append(contentsOf: repeatElement(0, count: min(output.count, limit - output.count)))
                }
                status = output.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(out.count - produced)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    produced = out.count - Int(stream.avail_out)
                    return status
                }
                switch status {
                case Z_OK, Z_STREAM_END:
                    continue
                case Z_BUF_ERROR where produced == output.count:
                    continue  // out of room: grow and go on
                case Z_BUF_ERROR:
                    throw Failure(description: "truncated gzip data")
                default:
                    throw Failure(description: "corrupt gzip data (\(status))")
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
