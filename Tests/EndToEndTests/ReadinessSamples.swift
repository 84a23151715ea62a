import Foundation
import HTTPTestSupport
import Synchronization
import SystemSupport

/// `GET /readyz` asked over and over (every 20 ms) on a connection of its own while a test
/// breaks something, each answer kept with when it was asked and when it came, so the test can
/// hold every answer to what was true at the time.
final class ReadinessSamples: Sendable {
    /// One answer.
    struct Sample: Sendable {
        let asked: ContinuousClock.Instant
        let answered: ContinuousClock.Instant
        /// The status, or nil when no answer came within ``WriteLoad/answerBound`` (asking stops).
        let status: Int?
        let retryAfter: String?
    }

    private let samples = Mutex<[Sample]>([])
    private let stopping = Atomic<Bool>(false)
    /// Broadcast on every sample and on stop.
    private let changed = NSCondition()
    private let done = DispatchSemaphore(value: 0)

    /// Starts asking the server at `port`.
    init(port: Int) {
        let request = "GET /readyz HTTP/1.1\r\nHost: test\r\n\r\n"
        Thread.detachNewThread { [self] in
            defer { self.done.signal() }
            let client = try? TestClient(port: port)
            while !self.stopping.load(ordering: .sequentiallyConsistent) {
                let asked = ContinuousClock.now
                let reply = try? client?.exchange(request, timeout: WriteLoad.answerBound)
                self.samples.withLock {
                    $0.append(
                        Sample(
                            asked: asked, answered: .now, status: reply?.status,
                            retryAfter: reply?.headers["Retry-After"]))
                }
                if reply == nil { return }
                self.changed.lock()
                self.changed.broadcast()
                _ = self.changed.wait(until: Date(timeIntervalSinceNow: 0.02))
                self.changed.unlock()
            }
        }
    }

    /// Waits until `count` answers with `status` were asked for after `instant`; `false` after
    /// `timeout`.
    func waitFor(_ count: Int, answers status: Int, askedAfter instant: ContinuousClock.Instant, timeout: Duration)
        -> Bool
    {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.milliseconds) / 1000)
        self.changed.lock()
        defer { self.changed.unlock() }
        while self.samples.withLock({ $0.filter { $0.asked > instant && $0.status == status }.count }) < count {
            if !self.changed.wait(until: deadline) { return false }
        }
        return true
    }

    /// Stops asking and returns every answer, in order.
    func stop() -> [Sample] {
        self.stopping.store(true, ordering: .sequentiallyConsistent)
        self.changed.lock()
        self.changed.broadcast()
        self.changed.unlock()
        _ = self.done.wait(timeout: (WriteLoad.answerBound * 2).fromNow)
        return self.samples.withLock { $0 }
    }
}
