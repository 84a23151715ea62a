import Application
import Foundation
import HTTPTestSupport
import Logging
import PostgresStore
import SQLiteStore
import Testing

/// `kill -9` of the real binary while twelve clients write, then a restart on the same store,
/// a few rounds in a row: after every restart, every write acknowledged in any round so far is
/// stored byte for byte and served, nothing half-written is, and locks are as the answers left
/// them. A write in flight at the kill may or may not be there.
@Suite struct CrashRecoveryTests {
    @Test(arguments: EndToEndStore.allCases)
    func killedDuringWritesLosesNoAcknowledgedWrite(store: EndToEndStore) throws {
        let rounds = FaultTests.long ? 12 : 3
        var server = try StatehouseUnderTest(store: store)
        let database = server.databaseURL
        var journals: [WriteLoad.Journal] = []
        for round in 1...rounds {
            let load = WriteLoad(port: server.port, clients: 12, prefix: "crash/r\(round)", expectConnectionLoss: true)
            // A different number of writes each round, so the kill lands at different points.
            #expect(load.waitForAcknowledged(atLeast: 100 * (1 + round % 4), timeout: .seconds(60)))
            server.process.send(SIGKILL)
            #expect(server.process.waitForExit(timeout: 10) == SIGKILL)
            let told = try #require(load.stop(), "the clients notice the kill")
            #expect(load.unexpected == [])
            journals += told

            server = try StatehouseUnderTest(store: store, databaseURL: database)
            let (problems, versions) = try WriteLoad.verify(journals, in: try Self.open(store, database))
            #expect(problems == [], "round \(round)")
            let client = try server.client()
            for journal in journals where !journal.acknowledged.isEmpty {
                let current = try client.request("GET", "/state/\(journal.state)")
                let serial = Int64(current.headers["X-Statehouse-Serial"] ?? "") ?? 0
                #expect(current.status == 200 && serial >= journal.acknowledged.last!, "\(journal.state)")
                #expect(current.body == journal.sent[serial], "\(journal.state) is served as it was sent")
            }
            print(
                "crash \(store) round \(round): killed after \(load.acknowledged) acknowledged writes; "
                    + "\(versions) versions of \(journals.count) states checked after the restart")
        }
    }

    /// The store the server used, opened by the test to read every version.
    private static func open(_ store: EndToEndStore, _ database: String) throws -> any UnitOfWork {
        switch store {
        case .sqlite:
            try SQLiteStore(
                configuration: .init(path: database, readers: 1, busyTimeout: .seconds(5)), readOnly: true,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        case .postgres:
            PostgresStore(
                configuration: .init(
                    url: database, poolSize: 1, checkoutTimeout: .seconds(10), statementTimeout: .seconds(30)))
        }
    }
}

/// Settings shared by the fault tests.
enum FaultTests {
    /// `TEST_LONG_FAULTS=1`: more rounds and longer runs (docs/architecture.md#tests).
    static var long: Bool { ProcessInfo.processInfo.environment["TEST_LONG_FAULTS"] == "1" }
}
