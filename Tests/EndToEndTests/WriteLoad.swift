import Application
import Dispatch
import Domain
import Foundation
import Gzip
import HTTPTestSupport
import Synchronization
import SystemSupport

/// Clients that write as Terraform does while a test breaks something under them: each owns one
/// state and runs LOCK → POST (the next serial) → UNLOCK on its own kept-alive connection,
/// retrying a 503 that carries `Retry-After` as Terraform does. Each keeps a journal of what it
/// sent and what it was told, which ``verify(_:in:)`` holds the store to afterwards.
///
/// Any other answer — a 5xx other than 503, a 503 without `Retry-After`, an unexpected 4xx, no
/// answer within ``answerBound`` — is recorded in ``unexpected``. A connection that ends without
/// an answer stops its client: expected when the server was killed, recorded otherwise.
final class WriteLoad: Sendable {
    /// How long any answer may take, even while the database is down or failing over.
    static let answerBound: Duration = .seconds(15)

    /// The lock as a client's answers leave it.
    enum LockBelief: Equatable, Sendable {
        case free
        case held(String)
        /// A LOCK or UNLOCK with this ID got no answer: either way is right.
        case either(String)
    }

    /// What one client sent and what it was told.
    struct Journal: Sendable {
        let state: String
        /// Every body POSTed, by serial, answered or not.
        var sent: [Int64: [UInt8]] = [:]
        /// The serials whose POST got 200.
        var acknowledged: [Int64] = []
        var lock: LockBelief = .free
    }

    private let port: Int
    private let expectConnectionLoss: Bool
    private let journals: Mutex<[Journal]>
    private let stopping = Atomic<Bool>(false)
    private let group = DispatchGroup()
    private let acknowledgedCount = Atomic<Int>(0)
    /// Broadcast on every acknowledged write, every 503 and on stop.
    private let progress = NSCondition()
    /// Broadcast on stop only: what a client waits on between retries.
    private let stopped = NSCondition()
    private let problems = Mutex<[String]>([])
    private let slowest = Mutex<Duration>(.zero)
    private let unavailableCount = Atomic<Int>(0)

    /// Starts `clients` clients on the server at `port`, writing `prefix/c0`, `prefix/c1` …
    /// `expectConnectionLoss`: the server will be killed, so a connection that ends only stops
    /// its client.
    init(port: Int, clients: Int, prefix: String, expectConnectionLoss: Bool = false) {
        self.port = port
        self.expectConnectionLoss = expectConnectionLoss
        self.journals = Mutex((0..<clients).map { Journal(state: "\(prefix)/c\($0)") })
        for index in 0..<clients {
            self.group.enter()
            Thread.detachNewThread { [self] in
                defer { self.group.leave() }
                self.run(index)
            }
        }
    }

    /// Writes acknowledged so far.
    var acknowledged: Int { self.acknowledgedCount.load(ordering: .sequentiallyConsistent) }

    /// 503 answers so far (each retried).
    var unavailable: Int { self.unavailableCount.load(ordering: .sequentiallyConsistent) }

    /// The longest any answer took.
    var slowestAnswer: Duration { self.slowest.withLock { $0 } }

    /// Every answer a client must never get.
    var unexpected: [String] { self.problems.withLock { $0 } }

    /// Waits until at least `count` writes have been acknowledged; `false` after `timeout`.
    func waitForAcknowledged(atLeast count: Int, timeout: Duration) -> Bool {
        self.wait(timeout: timeout) { $0.acknowledged >= count }
    }

    /// Waits until at least `count` 503 answers have come; `false` after `timeout`.
    func waitForUnavailable(atLeast count: Int, timeout: Duration) -> Bool {
        self.wait(timeout: timeout) { $0.unavailable >= count }
    }

    private func wait(timeout: Duration, until done: (WriteLoad) -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(timeout.milliseconds) / 1000)
        self.progress.lock()
        defer { self.progress.unlock() }
        while !done(self) {
            if !self.progress.wait(until: deadline) { return false }
        }
        return true
    }

    /// Stops the clients after the request each is making, waits for them and returns their
    /// journals (`nil` if one is still busy after `timeout`).
    func stop(timeout: Duration = WriteLoad.answerBound * 2) -> [Journal]? {
        self.stopping.store(true, ordering: .sequentiallyConsistent)
        self.signalProgress()
        self.stopped.lock()
        self.stopped.broadcast()
        self.stopped.unlock()
        guard self.group.wait(timeout: timeout.fromNow) == .success else { return nil }
        return self.journals.withLock { $0 }
    }

    private var isStopping: Bool { self.stopping.load(ordering: .sequentiallyConsistent) }

    private func run(_ index: Int) {
        func journal(_ change: (inout Journal) -> Void) { self.journals.withLock { change(&$0[index]) } }
        let state = self.journals.withLock { $0[index].state }
        var connection: TestClient? = nil
        var serial: Int64 = 0
        // One request, retried while the answer is 503 with Retry-After; the final status, or
        // nil when the client stops (told to, or its connection ended).
        func call(_ method: String, _ target: String, _ body: [UInt8]) -> Int? {
            while !self.isStopping {
                do {
                    if connection == nil { connection = try TestClient(port: self.port) }
                    let started = ContinuousClock.now
                    let reply = try self.exchange(connection!, method, target, body)
                    let took = ContinuousClock.now - started
                    self.slowest.withLock { $0 = max($0, took) }
                    guard reply.status == 503 else { return reply.status }
                    self.unavailableCount.add(1, ordering: .sequentiallyConsistent)
                    self.signalProgress()
                    if reply.headers["Retry-After"] == nil {
                        self.record("\(method) \(state): 503 without Retry-After: \(reply.text)")
                    }
                    self.pause()
                } catch TestClient.ClientError.timedOut {
                    self.record("\(method) \(state): no answer within \(WriteLoad.answerBound)")
                    return nil
                } catch {
                    if !self.expectConnectionLoss { self.record("\(method) \(state): \(error)") }
                    return nil
                }
            }
            return nil
        }
        while !self.isStopping {
            let id = "\(state)#\(serial + 1)"
            journal { $0.lock = .either(id) }
            guard let locked = call("LOCK", "/state/\(state)", Array(lockJSON(id).utf8)) else { return }
            guard locked == 200 else { return self.record("LOCK \(state): \(locked)") }
            journal { $0.lock = .held(id) }

            let body = stateBody(state: state, serial: serial + 1)
            journal { $0.sent[serial + 1] = body }
            guard let posted = call("POST", "/state/\(state)?ID=\(id)", body) else { return }
            guard posted == 200 else { return self.record("POST \(state): \(posted)") }
            serial += 1
            journal { $0.acknowledged.append(serial) }
            self.acknowledgedCount.add(1, ordering: .sequentiallyConsistent)
            self.signalProgress()

            journal { $0.lock = .either(id) }
            guard let unlocked = call("UNLOCK", "/state/\(state)", Array(lockJSON(id).utf8)) else { return }
            guard unlocked == 200 else { return self.record("UNLOCK \(state): \(unlocked)") }
            journal { $0.lock = .free }
        }
    }

    private func exchange(_ client: TestClient, _ method: String, _ target: String, _ body: [UInt8]) throws
        -> TestClient.Reply
    {
        let head =
            "\(method) \(target) HTTP/1.1\r\nHost: test\r\nAuthorization: \(StatehouseUnderTest.authorization)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        try client.send(Array(head.utf8) + body)
        return try client.readResponse(timeout: WriteLoad.answerBound)
    }

    /// Waits a moment before a retry, or less when the load stops.
    private func pause() {
        let deadline = Date(timeIntervalSinceNow: 0.05)
        self.stopped.lock()
        defer { self.stopped.unlock() }
        while !self.isStopping && self.stopped.wait(until: deadline) {}
    }

    /// Wakes every wait: a count changed, or the load is stopping.
    private func signalProgress() {
        self.progress.lock()
        self.progress.broadcast()
        self.progress.unlock()
    }

    private func record(_ problem: String) {
        self.problems.withLock { $0.append(problem) }
    }
}

/// A few KiB of state, different for every client and serial.
private func stateBody(state: String, serial: Int64) -> [UInt8] {
    let resources = (0..<20).map {
        #"{"mode":"managed","type":"null_resource","name":"r\#($0)","instances":[{"attributes":{"id":"\#(state)-\#(serial)-\#($0)","triggers":{"at":"\#(serial * 7919 + Int64($0))"}}}]}"#
    }
    let text =
        #"{"version":4,"terraform_version":"1.15.5","serial":\#(serial),"lineage":"faults","outputs":{},"resources":[\#(resources.joined(separator: ","))]}"#
    return Array(text.utf8) + [10]
}

extension WriteLoad {
    /// What `store` holds against what the clients were told: for each client's state, every
    /// version is byte-identical to the body POSTed with its serial, versions and serials run
    /// 1, 2, 3 … without a gap, every acknowledged write is there, and the lock is as the
    /// answers left it. Returns the problems found and the number of versions checked.
    static func verify(_ journals: [Journal], in store: any UnitOfWork) throws -> (problems: [String], versions: Int) {
        try store.snapshot { transaction in
            var problems: [String] = []
            var versions = 0
            for journal in journals {
                let stored = try transaction.catalog.state(named: try StateName(journal.state))
                let records = try stored.map { try transaction.catalog.versions(stateID: $0.id) } ?? []
                versions += records.count
                for (index, record) in records.enumerated() {
                    let content = try transaction.states.content(
                        of: stored!.name, stateID: stored!.id, version: record.number)
                    let bytes = try content.map { try Gzip.decompress($0) }
                    if record.number != Int64(index + 1) || record.serial != record.number {
                        problems.append("\(journal.state): version \(record.number) has serial \(record.serial)")
                    }
                    if bytes == nil || bytes != journal.sent[record.serial] || record.size != Int64(bytes!.count) {
                        problems.append("\(journal.state): version \(record.number) is not what was sent")
                    }
                }
                if let last = journal.acknowledged.last, records.count < last {
                    problems.append("\(journal.state): acknowledged serial \(last), only \(records.count) stored")
                }
                let holder = stored?.lock?.info.id
                switch journal.lock {
                case .free where holder != nil, .held where holder != journal.lock.id:
                    problems.append("\(journal.state): lock held by \(holder ?? "nobody"), expected \(journal.lock)")
                case .either(let id) where holder != nil && holder != id:
                    problems.append("\(journal.state): lock held by \(holder!), expected \(id) or nobody")
                default:
                    break
                }
            }
            return (problems, versions)
        }
    }
}

extension WriteLoad.LockBelief {
    fileprivate var id: String? {
        switch self {
        case .free: nil
        case .held(let id), .either(let id): id
        }
    }
}
