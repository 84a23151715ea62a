import CoreMetrics
import Logging
import Synchronization
import SystemSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Disk space set aside beside the database so that a lock can still be released when the disk
/// fills up: a file of `size` allocated bytes, freed when a release finds the disk full.
///
/// Every other write goes ahead only while the reserve is in place, making it again first if it
/// was spent; so once spent, the room it left stays for releases until the disk has space for a
/// whole reserve again.
final class DiskReserve: Sendable {
    private enum State {
        /// Not made yet: there was no room at startup.
        case missing
        case inPlace
        /// Freed by a release.
        case spent
    }

    /// The reserve file: the database's path with `-reserve` appended.
    let path: String
    /// Its size in bytes.
    let size: Int
    private let state = Mutex(State.missing)
    private let gauge: Gauge
    private let logger: Logger

    /// A reserve at `path` of `size` bytes, made now if there is room (`statehouse_store_disk_reserve_bytes` says
    /// whether it is in place).
    init(path: String, size: Int, metrics: any MetricsFactory, logger: Logger) {
        self.path = path
        self.size = size
        self.gauge = Gauge(label: "statehouse_store_disk_reserve_bytes", factory: metrics)
        self.logger = logger
        if !self.ensure() {
            self.gauge.record(0)
            logger.warning(
                "no room for the disk space reserve; until there is, only lock releases are written",
                metadata: ["path": .string(path), "bytes": .stringConvertible(size)])
        }
    }

    /// Makes the reserve unless it is in place; returns whether it is.
    func ensure() -> Bool {
        self.state.withLock { state in
            if state == .inPlace { return true }
            do {
                try self.allocate()
            } catch {
                return false
            }
            if state == .spent {
                self.logger.notice(
                    "disk space reserve made again; writes resume", metadata: ["path": .string(self.path)])
            }
            state = .inPlace
            self.gauge.record(self.size)
            return true
        }
    }

    /// Frees the reserve for a release that found the disk full; `false` when it was already spent.
    func spend() -> Bool {
        self.state.withLock { state in
            guard state == .inPlace else { return false }
            // Truncating returns the blocks at once; the file stays for the next allocation.
            _ = truncate(self.path, 0)
            state = .spent
            self.gauge.record(0)
            self.logger.error(
                "disk full: spent the disk space reserve to release a lock; other writes get 503 until it fits again",
                metadata: ["path": .string(self.path), "bytes": .stringConvertible(self.size)])
            return true
        }
    }

    /// Allocates `size` bytes to the file; leaves it empty when the disk has not that much room.
    private func allocate() throws(SystemError) {
        let fd = try syscall("open") { open(self.path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600) }
        defer { closeDescriptor(fd) }
        var result: Int32
        repeat {
            result = posix_fallocate(fd, 0, off_t(self.size))
        } while result == EINTR
        guard result == 0 else {
            _ = ftruncate(fd, 0)
            throw SystemError(call: "posix_fallocate", code: result)
        }
    }
}
