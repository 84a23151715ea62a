import Foundation
import HTTPTestSupport
import PostgresStore
import Testing

/// PostgreSQL stopped and started again, or crashed (immediate shutdown, recovery at the next
/// start), while twelve clients write: they only ever get 200 or 503 with `Retry-After`, every
/// answer comes within ``WriteLoad/answerBound``, `/readyz` is 503 while the database is down and
/// 200 once it is back, writes resume within seconds, and no acknowledged write is lost.
@Suite struct PostgresOutageTests {
    @Test(arguments: [PrivatePostgres.Shutdown.fast, .immediate])
    func restartUnderLoad(shutdown: PrivatePostgres.Shutdown) throws {
        let database = try PrivatePostgres()
        let server = try StatehouseUnderTest(store: .postgres, databaseURL: database.url)
        let probe = try server.client()
        let load = WriteLoad(port: server.port, clients: 12, prefix: "outage")
        for outage in 1...(FaultTests.long ? 10 : 2) {
            #expect(load.waitForAcknowledged(atLeast: load.acknowledged + 100, timeout: .seconds(30)))
            try database.stop(shutdown)
            let down = try probe.request("GET", "/readyz")
            #expect(down.status == 503 && down.headers["Retry-After"] == "2", "outage \(outage)")
            // Every client meets the outage before the database comes back.
            #expect(load.waitForUnavailable(atLeast: load.unavailable + 12, timeout: .seconds(15)))

            try database.start()
            let started = ContinuousClock.now
            #expect(try probe.request("GET", "/readyz").status == 200, "outage \(outage)")
            #expect(load.waitForAcknowledged(atLeast: load.acknowledged + 12, timeout: .seconds(10)))
            print(
                "postgres \(shutdown) outage \(outage): 12 more writes acknowledged "
                    + "\(ContinuousClock.now - started) after the database accepted connections again")
        }
        let journals = try #require(load.stop())
        #expect(load.unexpected == [])
        let store = PostgresStore(
            configuration: .init(
                url: database.url, poolSize: 1, checkoutTimeout: .seconds(10), statementTimeout: .seconds(30)))
        let (problems, versions) = try WriteLoad.verify(journals, in: store)
        #expect(problems == [])
        print(
            "postgres \(shutdown): \(load.acknowledged) writes acknowledged, \(load.unavailable) answers 503, "
                + "slowest answer \(load.slowestAnswer); \(versions) versions checked")
    }
}
