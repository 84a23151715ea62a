import Foundation
import HTTPTestSupport
import PostgresStore
import Testing

/// The high-availability setup docs/operations.md supports, started by the test: a primary and a
/// hot standby streaming from it with synchronous replication (`synchronous_standby_names`, and
/// the default `synchronous_commit = on`), Statehouse on both with
/// `target_session_attrs=read-write`. While twelve clients write, the standby is promoted and
/// the primary stopped or crashed, in either order: clients only get 200 or 503 with
/// `Retry-After`, writes resume within seconds, no acknowledged write is lost, and `/readyz`,
/// asked every 20 ms throughout, is 200 while a primary takes writes and 503 while none does.
@Suite struct FailoverTests {
    enum Failover: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// A switchover as Patroni and CloudNativePG make one: the primary is stopped (a fast
        /// shutdown hands its last WAL to the standby), then the standby promoted.
        case switchover
        /// The primary crashes (immediate shutdown), then the standby is promoted.
        case crash
        /// The standby is promoted while the old primary still runs, then that one is stopped:
        /// in between it acknowledges nothing, its commits wait for the synchronous standby that
        /// is gone (with asynchronous replication, every write it acknowledged then is lost).
        case promoteFirst

        var testDescription: String { self.rawValue }
    }

    @Test(arguments: Failover.allCases)
    func promotedStandbyTakesOverUnderLoad(failover: Failover) throws {
        let primary = try PrivatePostgres()
        let standby = try PrivatePostgres(standbyOf: primary)
        // From now on a commit on the primary returns once the standby has it on disk.
        _ = try primary.query("ALTER SYSTEM SET synchronous_standby_names = '*'")
        _ = try primary.query("SELECT pg_reload_conf()")
        let server = try StatehouseUnderTest(
            store: .postgres,
            databaseURL: "postgresql://statehouse@127.0.0.1:\(primary.port),127.0.0.1:\(standby.port)/statehouse"
                + "?target_session_attrs=read-write&connect_timeout=2")
        let readiness = ReadinessSamples(port: server.port)
        let load = WriteLoad(port: server.port, clients: 12, prefix: "failover")
        #expect(load.waitForAcknowledged(atLeast: 100, timeout: .seconds(30)))
        #expect(try primary.query("SELECT sync_state FROM pg_stat_replication") == "sync")

        let failoverStarted = ContinuousClock.now
        var withoutPrimary: Range<ContinuousClock.Instant>? = nil
        switch failover {
        case .switchover, .crash:
            try primary.stop(failover == .crash ? .immediate : .fast)
            let stopped = ContinuousClock.now
            // Nothing takes writes: the clients meet 503s and /readyz says so.
            #expect(load.waitForUnavailable(atLeast: load.unavailable + 12, timeout: .seconds(15)))
            #expect(readiness.waitFor(3, answers: 503, askedAfter: stopped, timeout: .seconds(15)))
            withoutPrimary = stopped..<ContinuousClock.now
            try standby.promote()
        case .promoteFirst:
            try standby.promote()
            // Commits on the old primary now wait for its synchronous standby, which is gone:
            // it acknowledges nothing from here on.
            #expect(try Self.waitForCommitsWaitingOnAStandby(primary))
            try primary.stop()
        }
        let failedOver = ContinuousClock.now
        let acknowledged = load.acknowledged
        #expect(load.waitForAcknowledged(atLeast: acknowledged + 12, timeout: .seconds(10)))
        let resumed = ContinuousClock.now - failedOver
        #expect(readiness.waitFor(3, answers: 200, askedAfter: failedOver, timeout: .seconds(10)))

        let samples = readiness.stop()
        let journals = try #require(load.stop())
        #expect(load.unexpected == [])
        let store = PostgresStore(
            configuration: .init(
                url: standby.url, poolSize: 1, checkoutTimeout: .seconds(10), statementTimeout: .seconds(30)))
        let (problems, versions) = try WriteLoad.verify(journals, in: store)
        #expect(problems == [], "every acknowledged write is on the new primary")

        #expect(samples.allSatisfy { $0.status == 200 || ($0.status == 503 && $0.retryAfter == "2") })
        #expect(samples.filter { $0.answered < failoverStarted }.allSatisfy { $0.status == 200 })
        if let withoutPrimary {
            let during = samples.filter { withoutPrimary.contains($0.asked) && withoutPrimary.contains($0.answered) }
            #expect(!during.isEmpty && during.allSatisfy { $0.status == 503 })
        }
        let firstReady = samples.firstIndex { $0.asked > failedOver && $0.status == 200 } ?? samples.endIndex
        #expect(samples[firstReady...].allSatisfy { $0.status == 200 }, "ready for good once the standby took over")
        let ready = samples.filter { $0.status == 200 }.count
        print(
            "failover \(failover): 12 writes acknowledged \(resumed) after the failover; "
                + "\(load.acknowledged) acknowledged in all, \(load.unavailable) answers 503, slowest answer "
                + "\(load.slowestAnswer); \(versions) versions checked on the new primary; /readyz answered "
                + "\(ready) times 200, \(samples.count - ready) times 503")
    }

    /// Waits (asking every 50 ms, for at most 10 s) until a session on `server` waits for a
    /// synchronous standby.
    private static func waitForCommitsWaitingOnAStandby(_ server: PrivatePostgres) throws -> Bool {
        try server.query(
            """
            DO $$ BEGIN
              FOR attempt IN 1..200 LOOP
                PERFORM pg_stat_clear_snapshot();
                EXIT WHEN EXISTS (SELECT FROM pg_stat_activity WHERE wait_event = 'SyncRep');
                PERFORM pg_sleep(0.05);
              END LOOP;
            END $$;
            SELECT pg_stat_clear_snapshot();
            SELECT EXISTS (SELECT FROM pg_stat_activity WHERE wait_event = 'SyncRep');
            """
        ).hasSuffix("\nt")
    }
}
