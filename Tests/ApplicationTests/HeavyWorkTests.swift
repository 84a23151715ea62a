import Domain
import InMemoryStore
import Testing

@testable import Application

@Suite struct HeavyWorkTests {
    let owner = Caller(Principal(name: "o", grants: [Grant(prefix: "*", access: .admin)]))

    @Test func permitsAreTakenWithoutWaitingAndGivenBackOnce() {
        let work = HeavyWork(limit: 2)
        let first = work.permit(for: .diff)
        let second = work.permit(for: .rollback)
        #expect(first != nil && second != nil)
        #expect(work.permit(for: .diff) == nil, "past the limit: refused at once")
        first?.release()
        first?.release()
        let third = work.permit(for: .download)
        #expect(third != nil)
        #expect(work.permit(for: .diff) == nil, "a second release gave nothing back")
        withExtendedLifetime((first, second, third)) {}
    }

    @Test func aPermitDroppedWithoutReleaseIsGivenBack() {
        let work = HeavyWork(limit: 1)
        do {
            let abandoned = work.permit(for: .diff)
            #expect(abandoned != nil)
            #expect(work.permit(for: .diff) == nil)
        }
        #expect(work.permit(for: .diff) != nil)
    }

    @Test func uncompressedReadsOfLargeVersionsTakeAPermitWhileTheyInflate() throws {
        let store = InMemoryStore()
        let work = HeavyWork(limit: 1)
        let read = ReadState(store: store, cache: ContentCache(capacityBytes: 0), heavyWork: work)
        let write = WriteState(
            store: store, clock: FixedClock(), policy: .init(allowLineageChange: false), compressionLevel: 1)
        let large = Array(
            #"{"serial":1,"lineage":"L","pad":"\#(String(repeating: "x", count: Int(ReadState.heavyInflationBytes)))"}"#
                .utf8)
        let small = Array(#"{"serial":1,"lineage":"L"}"#.utf8)
        for (state, body) in [("large", large), ("small", small)] {
            _ = try write.execute(
                .init(name: try StateName(state), body: body, lockID: nil, contentMD5: nil), as: owner)
        }
        let held = try #require(work.permit(for: .diff))
        #expect(throws: ApplicationError(.busy, HeavyWork.busyMessage)) {
            try read.execute(try StateName("large"), as: self.owner, encoding: .identity)
        }
        #expect(throws: ApplicationError(.busy, HeavyWork.busyMessage)) {
            try read.execute(try StateName("large"), version: 1, as: self.owner, encoding: .identity)
        }
        #expect(try read.execute(try StateName("large"), as: owner, encoding: .gzip).version.size == Int64(large.count))
        #expect(try read.execute(try StateName("small"), as: owner, encoding: .identity).body == small)
        held.release()
        #expect(try read.execute(try StateName("large"), as: owner, encoding: .identity).body == large)
        #expect(work.permit(for: .diff) != nil, "the read gave its permit back")
    }
}
