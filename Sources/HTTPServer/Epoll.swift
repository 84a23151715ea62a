import CEpoll
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An epoll instance whose events carry a 64-bit token, and an eventfd that wakes its waiter.
final class Epoll: Sendable {
    let descriptor: Int32
    /// Readable after ``wake()``, until ``consumeWake()``.
    private let wakeDescriptor: Int32

    init() throws(SystemError) {
        self.descriptor = try syscall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        do {
            self.wakeDescriptor = try syscall("eventfd") {
                eventfd(0, Int32(EFD_CLOEXEC) | Int32(EFD_NONBLOCK))
            }
        } catch {
            closeDescriptor(self.descriptor)
            throw error
        }
    }

    deinit {
        closeDescriptor(self.wakeDescriptor)
        closeDescriptor(self.descriptor)
    }

    /// Watches `fd` for input with `token` as its events' token, level-triggered, until removed
    /// or closed.
    func watch(_ fd: Int32, token: UInt64) throws(SystemError) {
        try self.control(EPOLL_CTL_ADD, fd, events: EPOLLIN.rawValue, token: token)
    }

    /// Watches ``wake()`` with `token`.
    func watchWake(token: UInt64) throws(SystemError) {
        try self.watch(self.wakeDescriptor, token: token)
    }

    /// Arms `fd` for one event (input, or the peer closing) carrying `token`; `added` says whether
    /// `fd` is already in the set (then it is re-armed).
    func armOnce(_ fd: Int32, token: UInt64, added: Bool) throws(SystemError) {
        let events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLONESHOT.rawValue
        try self.control(added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, events: events, token: token)
    }

    /// Stops watching `fd`.
    func remove(_ fd: Int32) {
        var event = epoll_event()
        _ = try? syscall("epoll_ctl") { epoll_ctl(self.descriptor, EPOLL_CTL_DEL, fd, &event) }
    }

    /// Waits until `deadline` (for ever when `nil`) and returns the tokens of the events that arrived,
    /// at most `events.count` of them.
    func wait(into events: inout [epoll_event], until deadline: ContinuousClock.Instant?) -> ArraySlice<epoll_event> {
        // Rounded up, so a wait never ends just before its deadline and spins.
        let milliseconds = deadline.map { ($0 - .now).pollMilliseconds } ?? -1
        let count = events.withUnsafeMutableBufferPointer { buffer in
            (try? syscall("epoll_wait") {
                epoll_wait(self.descriptor, buffer.baseAddress, Int32(buffer.count), milliseconds)
            }) ?? 0
        }
        return events[0..<Int(count)]
    }

    /// Makes a waiter return.
    func wake() {
        var one: UInt64 = 1
        _ = try? syscall("write") { write(self.wakeDescriptor, &one, 8) }
    }

    /// Clears a ``wake()``.
    func consumeWake() {
        var value: UInt64 = 0
        _ = try? syscall("read") { read(self.wakeDescriptor, &value, 8) }
    }

    private func control(_ operation: Int32, _ fd: Int32, events: UInt32, token: UInt64) throws(SystemError) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        _ = try syscall("epoll_ctl") { epoll_ctl(self.descriptor, operation, fd, &event) }
    }
}
