/// Connections waiting without a thread, by descriptor, in three queues that each keep the order
/// they were parked in: connections the server is closing, lingering so the peer can read the last
/// answer (all for the linger time), kept-alive ones between requests (all with the idle timeout)
/// and new ones that have not sent a request yet (all with the header timeout). With one timeout
/// per queue, parking order is deadline order, so the first entries are the ones to expire, and
/// the kept-alive queue's first entry is the longest idle.
///
/// Every entry has a token (the descriptor and a generation), so an event that names a connection
/// already taken out, whose descriptor may since carry a new one, finds nothing. Every operation is
/// O(1) but ``removeAll()`` and the expiry of many entries at once.
struct ParkingLot<Element> {
    typealias Instant = ContinuousClock.Instant

    /// Which queue a connection waits in.
    enum Queue: Int, CaseIterable {
        /// Being closed: the first to go when the server is full.
        case lingering = 0
        /// Served at least one request: closed next when the server is full.
        case keptAlive = 1
        /// Waiting for its first request.
        case fresh = 2
    }

    private struct Entry {
        var element: Element
        var deadline: Instant
        var queue: Queue
        var previous: Int32
        var next: Int32
    }

    /// Indexed by descriptor.
    private var entries: [Entry?] = []
    private var generations: [UInt32] = []
    private var first: [Int32] = [-1, -1, -1]
    private var last: [Int32] = [-1, -1, -1]
    /// How many connections are parked.
    private(set) var count = 0

    /// Parks `element`, whose descriptor is `descriptor`, at the end of `queue` until `deadline`.
    /// Returns the token that events name it by.
    mutating func insert(_ element: Element, descriptor: Int32, queue: Queue, deadline: Instant) -> UInt64 {
        let index = Int(descriptor)
        if index >= self.entries.count {
            let size = max(index + 1, self.entries.count * 2)
            self.entries.append(contentsOf: repeatElement(nil, count: size - self.entries.count))
            self.generations.append(contentsOf: repeatElement(0, count: size - self.generations.count))
        }
        precondition(self.entries[index] == nil, "descriptor \(descriptor) is parked twice")
        self.generations[index] = (self.generations[index] &+ 1) & 0x7FFF_FFFF
        let tail = self.last[queue.rawValue]
        self.entries[index] = Entry(element: element, deadline: deadline, queue: queue, previous: tail, next: -1)
        if tail >= 0 { self.entries[Int(tail)]!.next = descriptor } else { self.first[queue.rawValue] = descriptor }
        self.last[queue.rawValue] = descriptor
        self.count += 1
        return ParkingLot.token(descriptor: descriptor, generation: self.generations[index])
    }

    /// Takes out the connection `token` names, with the queue it was in; `nil` when it is no
    /// longer parked.
    mutating func remove(token: UInt64) -> (element: Element, queue: Queue)? {
        let descriptor = Int32(truncatingIfNeeded: token & 0xFFFF_FFFF)
        let index = Int(descriptor)
        guard index < self.entries.count, let entry = self.entries[index],
            ParkingLot.token(descriptor: descriptor, generation: self.generations[index]) == token
        else { return nil }
        return (self.remove(descriptor: descriptor), entry.queue)
    }

    /// Takes out the connection that is the least loss to close: a lingering one, else the
    /// longest-idle kept-alive one, else the oldest new one.
    mutating func removeLongestWaiting() -> Element? {
        for queue in Queue.allCases where self.first[queue.rawValue] >= 0 {
            return self.remove(descriptor: self.first[queue.rawValue])
        }
        return nil
    }

    /// The earliest deadline of a parked connection.
    var nextDeadline: Instant? {
        Queue.allCases.compactMap { queue in
            let head = self.first[queue.rawValue]
            return head >= 0 ? self.entries[Int(head)]!.deadline : nil
        }.min()
    }

    /// Takes out every connection whose deadline is at or before `now`.
    mutating func removeExpired(now: Instant) -> [Element] {
        var expired: [Element] = []
        for queue in Queue.allCases {
            while case let head = self.first[queue.rawValue], head >= 0, self.entries[Int(head)]!.deadline <= now {
                expired.append(self.remove(descriptor: head))
            }
        }
        return expired
    }

    /// Takes out every connection in `queues`.
    mutating func removeAll(in queues: [Queue] = Queue.allCases) -> [Element] {
        var all: [Element] = []
        for queue in queues {
            while self.first[queue.rawValue] >= 0 { all.append(self.remove(descriptor: self.first[queue.rawValue])) }
        }
        return all
    }

    private mutating func remove(descriptor: Int32) -> Element {
        let entry = self.entries[Int(descriptor)]!
        self.entries[Int(descriptor)] = nil
        if entry.previous >= 0 {
            self.entries[Int(entry.previous)]!.next = entry.next
        } else {
            self.first[entry.queue.rawValue] = entry.next
        }
        if entry.next >= 0 {
            self.entries[Int(entry.next)]!.previous = entry.previous
        } else {
            self.last[entry.queue.rawValue] = entry.previous
        }
        self.count -= 1
        return entry.element
    }

    private static func token(descriptor: Int32, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: descriptor))
    }
}
