import Application
import HTTPServer
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The SQLite store on a disk that fills up, through the API as clients see it: writes get 503
/// with Retry-After, reads keep working, the held lock can still be released, and writes resume
/// once there is room again.
@Suite(.enabled(if: SmallDisk.canMount, "mounts a tmpfs to fill it up: needs root (CI runs as root)"))
struct DiskFullTests {
    @Test func aFullDiskRefusesWritesButReleasesTheLockAndRecovers() throws {
        let disk = try SmallDisk(bytes: 4 << 20)
        let m = try ManagedAPI(Fixture(.sqlite, sqlitePath: disk.path + "/states.db"))
        let reserve = disk.path + "/states.db-reserve"
        #expect(disk.allocatedBytes(reserve) == 1 << 20)
        m.write("team/app", stateBody(serial: 1))
        #expect(m.send("LOCK", "/state/team/app", bytes: lockBody("held")).status == .ok)

        try disk.fill()
        let refused = m.send("LOCK", "/state/team/other", bytes: lockBody("other"))
        #expect(refused.status == .serviceUnavailable)
        #expect(refused.headers["Retry-After"] == "2")
        #expect(refused.text.contains("disk is full"), "\(refused.text)")
        #expect(m.send("POST", "/state/team/app?ID=held", bytes: stateBody(serial: 2)).status == .serviceUnavailable)
        let read = m.send("GET", "/state/team/app", headers: [("Accept-Encoding", "identity")])
        #expect(read.status == .ok)
        #expect(read.body == stateBody(serial: 1))
        #expect(m.send("GET", "/api/v1/locks").text.contains(#""id":"held""#))

        // The release spends the reserve; what it leaves is kept for releases, not for new locks.
        let released = m.send("UNLOCK", "/state/team/app", bytes: lockBody("held"))
        #expect(released.status == .ok)
        #expect(released.text == #"{"status":"unlocked"}"#)
        #expect(disk.allocatedBytes(reserve) == 0)
        #expect(m.send("LOCK", "/state/team/other", bytes: lockBody("other")).status == .serviceUnavailable)

        disk.free()
        #expect(m.send("LOCK", "/state/team/other", bytes: lockBody("other")).status == .ok)
        #expect(disk.allocatedBytes(reserve) == 1 << 20)
        m.write("team/app", stateBody(serial: 2))

        // Full again: an admin's force-unlock goes through as well.
        try disk.fill()
        #expect(
            m.send("DELETE", "/api/v1/states/team/other/lock", headers: [("Content-Type", "application/json")]).status
                == .ok)
        #expect(m.send("LOCK", "/state/team/app", bytes: lockBody("again")).status == .serviceUnavailable)
    }
}

/// A tmpfs of a few MiB mounted for one test, to fill up; unmounted (lazily, so that files still
/// open do not keep it) when it goes away.
final class SmallDisk {
    /// Whether this process may mount a tmpfs (root, with CAP_SYS_ADMIN).
    static let canMount: Bool = {
        guard geteuid() == 0, let disk = try? SmallDisk(bytes: 1 << 20) else { return false }
        _ = disk
        return true
    }()

    let path = "/tmp/statehouse-small-disk-\(UInt64.random(in: 1...UInt64.max))"
    private var filler: String { self.path + "/filler" }

    init(bytes: Int) throws {
        guard mkdir(self.path, 0o700) == 0 else { throw SmallDiskError("mkdir \(self.path): errno \(errno)") }
        guard mount("tmpfs", self.path, "tmpfs", 0, "size=\(bytes),mode=0700") == 0 else {
            let code = errno
            rmdir(self.path)
            throw SmallDiskError("mount tmpfs on \(self.path): errno \(code)")
        }
    }

    deinit {
        umount2(self.path, Int32(MNT_DETACH))
        rmdir(self.path)
    }

    /// Writes a file until the disk has no room left.
    func fill() throws {
        let fd = open(self.filler, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SmallDiskError("open \(self.filler): errno \(errno)") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x5A, count: 4096)
        // A 4 MiB disk holds at most 1024 chunks.
        for _ in 0...1024 {
            guard write(fd, chunk, chunk.count) == chunk.count else { break }
        }
        guard errno == ENOSPC else { throw SmallDiskError("filling \(self.filler): errno \(errno)") }
    }

    /// Removes what `fill` wrote.
    func free() {
        unlink(self.filler)
    }

    /// The bytes allocated to the file at `path` on the disk.
    func allocatedBytes(_ path: String) -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else { return -1 }
        return Int(status.st_blocks) * 512
    }
}

struct SmallDiskError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
