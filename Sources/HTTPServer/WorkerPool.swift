import Dispatch
import Synchronization
import SystemSupport

/// Threads for connections that have something to do.
///
/// A job goes to an idle thread; with none idle, to a new thread while there are fewer than
/// `eagerThreads`; past that it waits in a queue for the next thread that finishes. A burst of
/// short requests (thousands of connections sending at once) is then served by a few threads
/// instead of thousands, and a queue that stops moving (every thread waiting on a slow client or
/// the store) still gets a new thread each time its oldest job has waited `patience`
/// (``growIfStalled(now:)``), so nobody waits behind a slow client for long. Threads idle for
/// `idleLifetime` exit.
final class WorkerPool: Sendable {
    private struct Job {
        let id: UInt64
        let queuedAt: ContinuousClock.Instant
        let run: @Sendable () -> Void
    }

    /// Jobs in submission order; taken jobs leave a hole until the front is compacted.
    private struct Queue {
        private var jobs: [Job?] = []
        private var head = 0

        var first: Job? { self.head < self.jobs.count ? self.jobs[self.head] : nil }

        mutating func append(_ job: Job) { self.jobs.append(job) }

        mutating func removeFirst() -> Job? {
            guard self.head < self.jobs.count else { return nil }
            let job = self.jobs[self.head]
            self.jobs[self.head] = nil
            self.head += 1
            if self.head == self.jobs.count {
                self.jobs.removeAll(keepingCapacity: true)
                self.head = 0
            } else if self.head >= 1024 && self.head * 2 >= self.jobs.count {
                self.jobs.removeFirst(self.head)
                self.head = 0
            }
            return job
        }

        /// Removes job `id` if it is still queued; returns whether it was.
        mutating func remove(id: UInt64) -> Bool {
            guard let index = self.jobs[self.head...].firstIndex(where: { $0?.id == id }) else { return false }
            self.jobs.remove(at: index)
            return true
        }
    }

    private struct State {
        var jobs = Queue()
        var nextID: UInt64 = 0
        /// Threads waiting for a job that no submitter has claimed yet.
        var idle = 0
        var threads = 0
        /// When ``growIfStalled(now:)`` last started a thread.
        var lastGrowth = ContinuousClock.Instant.now
    }

    private let state = Mutex(State())
    /// Signalled once for each idle thread a submitter claims.
    private let claimed = DispatchSemaphore(value: 0)
    private let stackSize: Int
    private let eagerThreads: Int
    private let patience: Duration
    private let idleLifetime: Duration

    init(
        stackSize: Int, eagerThreads: Int, patience: Duration = .milliseconds(5), idleLifetime: Duration = .seconds(10)
    ) {
        self.stackSize = stackSize
        self.eagerThreads = eagerThreads
        self.patience = patience
        self.idleLifetime = idleLifetime
    }

    /// Whether few enough threads are busy that one may wait briefly on its client instead of
    /// handing the connection back: with no more busy threads than the pool starts at once.
    var isQuiet: Bool { self.state.withLock { $0.threads - $0.idle <= self.eagerThreads } }

    /// Runs `job` on a pool thread, at once or after the jobs queued before it. Throws, without
    /// running it, when it needs a new thread and none can be started.
    func submit(_ job: @escaping @Sendable () -> Void) throws(SystemError) {
        let (id, action) = self.state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.jobs.append(Job(id: id, queuedAt: .now, run: job))
            if state.idle > 0 {
                state.idle -= 1
                return (id, Action.wake)
            }
            guard state.threads < self.eagerThreads else { return (id, Action.wait) }
            state.threads += 1
            return (id, Action.spawn)
        }
        switch action {
        case .wake: self.claimed.signal()
        case .wait: break
        case .spawn: try self.spawn(for: id)
        }
    }

    /// Starts one more thread when the oldest queued job has waited `patience` (every thread is
    /// busy, perhaps with slow clients), at most one each `patience`. Returns when to ask again:
    /// `nil` with no job waiting.
    func growIfStalled(now: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        let (stalled, next) = self.state.withLock { state -> (Bool, ContinuousClock.Instant?) in
            guard let oldest = state.jobs.first else { return (false, nil) }
            let due = max(oldest.queuedAt, state.lastGrowth) + self.patience
            guard state.idle == 0, due <= now else { return (false, due) }
            state.threads += 1
            state.lastGrowth = now
            return (true, now + self.patience)
        }
        // The job stays queued if no thread can start: a busy thread will take it.
        if stalled { try? self.spawn(for: nil) }
        return next
    }

    private enum Action { case wake, wait, spawn }

    /// Starts a thread, counted already, that takes jobs from the queue; when it cannot start,
    /// uncounts it and throws if job `id` (when given) is still queued (it is dropped).
    private func spawn(for id: UInt64?) throws(SystemError) {
        do {
            try ThreadSpawner.spawn(stackSize: self.stackSize) { [self] in self.work() }
        } catch {
            // The job may already have been taken by a thread that finished another one.
            let stillQueued = self.state.withLock { state in
                state.threads -= 1
                return id.map { state.jobs.remove(id: $0) } ?? false
            }
            if stillQueued { throw error }
        }
    }

    private func work() {
        while true {
            let job: Job? = self.state.withLock { state in
                if let job = state.jobs.removeFirst() { return job }
                state.idle += 1
                return nil
            }
            if let job {
                job.run()
                continue
            }
            if self.claimed.wait(timeout: self.idleLifetime.fromNow) == .timedOut {
                let leave = self.state.withLock { state in
                    // Unclaimed idle threads outnumber the claims: this one can go.
                    guard state.idle > 0 else { return false }
                    state.idle -= 1
                    state.threads -= 1
                    return true
                }
                if leave { return }
                // A submitter claimed every idle thread: its signal is on the way.
                self.claimed.wait()
            }
        }
    }
}
