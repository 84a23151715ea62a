import Application
import Domain
import Foundation
import Gzip
import HTTPTestSupport
import Logging
import PostgresStore
import SQLiteStore
import Testing

/// Moving from the embedded default to PostgreSQL with `statehouse migrate-store`.
@Suite(.enabled(if: TestEnvironment.postgresURL != nil, "needs scripts/with-postgres"))
struct MigrateStoreTests {
    @Test func statesWrittenOnSQLiteArriveOnPostgreSQLWithIdenticalVersions() throws {
        let sqlitePath = try TestEnvironment.temporaryDirectory() + "/states.db"
        var written: [String] = []
        do {
            let server = try StatehouseUnderTest(store: .sqlite, databaseURL: sqlitePath)
            let client = try server.client()
            for serial in 1...5 {
                let body = "{\"version\":4,\"serial\":\(serial),\"lineage\":\"moving\",\"outputs\":{}}\n"
                #expect(try client.request("POST", "/state/team/app", body: body).status == 200)
                written.append(body)
            }
            #expect(try client.request("LOCK", "/state/team/app", body: lockJSON("kept")).status == 200)
        }  // the server stops here

        let postgresURL = try TestEnvironment.createDatabase()
        let result = try TestEnvironment.run(
            [ServerProcess.binaryPath, "migrate-store", "--from", "sqlite:\(sqlitePath)", "--to", postgresURL])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("team/app: 5 versions"))
        #expect(result.output.contains("read back: every state, version and checksum matches the source"))
        #expect(result.output.contains("copied 1 states, 5 versions"))

        // Both stores hold the same records, byte for byte.
        func history(_ store: any UnitOfWork) throws -> [(VersionRecord, [UInt8])] {
            try store.read { transaction in
                let entry = try #require(try transaction.catalog.allStates().first)
                return try transaction.catalog.versions(stateID: entry.state.id).map {
                    (
                        $0,
                        try Gzip.decompress(
                            try #require(
                                try transaction.states.content(
                                    of: entry.state.name, stateID: entry.state.id, version: $0.number)))
                    )
                }
            }
        }
        let sqlite = try history(
            SQLiteStore(
                configuration: .init(path: sqlitePath, readers: 1, busyTimeout: .seconds(5)),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let postgres = try history(
            PostgresStore(
                configuration: .init(
                    url: postgresURL, poolSize: 1, checkoutTimeout: .seconds(5), statementTimeout: .seconds(30))))
        #expect(postgres.map(\.0) == sqlite.map(\.0))
        #expect(postgres.map(\.1) == written.map { Array($0.utf8) })

        // A server on PostgreSQL serves the latest version and still holds the lock.
        let server = try StatehouseUnderTest(store: .postgres, databaseURL: postgresURL)
        let client = try server.client()
        #expect(try client.request("GET", "/state/team/app").text == written.last)
        #expect(try client.request("LOCK", "/state/team/app", body: lockJSON("other")).status == 409)

        // A source that does not exist is an error, and is not created.
        let missing = try TestEnvironment.temporaryDirectory() + "/typo/states.db"
        let typo = try TestEnvironment.run(
            [
                ServerProcess.binaryPath, "migrate-store", "--from", "sqlite:\(missing)", "--to",
                try TestEnvironment.createDatabase(),
            ])
        #expect(typo.status != 0)
        #expect(typo.output.contains("cannot open"))
        #expect(!FileManager.default.fileExists(atPath: missing))

        // A destination that is not empty is refused.
        let again = try TestEnvironment.run(
            [ServerProcess.binaryPath, "migrate-store", "--from", "sqlite:\(sqlitePath)", "--to", postgresURL])
        #expect(again.status != 0)
        #expect(again.output.contains("only copies into an empty store"))
    }
}
