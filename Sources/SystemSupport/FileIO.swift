#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file reads and whole-buffer writes on descriptors, through ``syscall(_:_:)``.
package enum FileIO {
    /// Writes every byte of `bytes` to `fd`; throws on the first failure (a closed pipe, say).
    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = try syscall("write") { write(fd, bytes.baseAddress! + offset, bytes.count - offset) }
            guard written > 0 else { throw SystemError(call: "write", code: EIO) }
            offset += written
        }
    }

    /// Every byte of the file at `path`.
    package static func readAll(_ path: String) throws(SystemError) -> [UInt8] {
        let fd = try syscall("open") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { closeDescriptor(fd) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
        defer { chunk.deallocate() }
        var bytes: [UInt8] = []
        while true {
            let count = try syscall("read") { read(fd, chunk.baseAddress, chunk.count) }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// Whether `path` names a directory (following symbolic links).
    package static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
