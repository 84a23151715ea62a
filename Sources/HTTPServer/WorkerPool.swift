import Dispatch
import Synchronization
import SystemSupport

/// Threads for connections that have something to do. A job goes to an idle thread, or to a new
/// one when none is idle, so a slow client never waits behind another (a shared concurrent queue
/// was measured to starve connections); threads idle for `idleLifetime` exit.
final class WorkerPool: Sendable {
    private struct Job {
        let id: UInt64
        let run: @Sendable () -> Void
    }

    private struct State {
        var jobs: [Job] = []
        var nextID: UInt64 = 0
        /// Threads waiting for a job that no submitter has claimed yet.
        var idle = 0
        var threads = 0
    }

    private let state = Mutex(State())
    /// Signalled once for each idle thread a submitter claims.
    private let claimed = DispatchSemaphore(value: 0)
    private let stackSize: Int
    private let idleLifetime: Duration

    init(stackSize: Int, idleLifetime: Duration = .seconds(10)) {
        self.stackSize = stackSize
        self.idleLifetime = idleLifetime
    }

    /// The number of threads, busy or idle.
    var threads: Int { self.state.withLock { $0.threads } }

    /// Runs `job` on a pool thread. Throws, without running it, when no thread can be started.
    func submit(_ job: @escaping @Sendable () -> Void) throws(SystemError) {
        let (id, spawn) = self.state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.jobs.append(Job(id: id, run: job))
            if state.idle > 0 {
                state.idle -= 1
                return (id, false)
            }
            state.threads += 1
            return (id, true)
        }
        guard spawn else {
            self.claimed.signal()
            return
        }
        do {
            try ThreadSpawner.spawn(stackSize: self.stackSize) { [self] in self.work() }
        } catch {
            // The job may already have been taken by a thread that finished another one.
            let stillQueued = self.state.withLock { state in
                state.threads -= 1
                guard let index = state.jobs.firstIndex(where: { $0.id == id }) else { return false }
                state.jobs.remove(at: index)
                return true
            }
            if stillQueued { throw error }
        }
    }

    private func work() {
        while true {
            let job: Job? = self.state.withLock { state in
                if !state.jobs.isEmpty { return state.jobs.removeFirst() }
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
