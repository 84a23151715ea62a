import Testing

@testable import Application

@Suite struct ReadablePageTests {
    /// Up to `batch` of the numbers 1…`last` after `after`.
    static func numbers(after: Int?, batch: Int, last: Int) -> [Int] {
        Array(Array(((after ?? 0) + 1)...last).prefix(batch))
    }

    @Test func fillsThePageAcrossBatchesAndStopsAtTheEnd() throws {
        var batches: [Int] = []
        let (items, next) = try readablePage(
            limit: 3, start: nil, position: { $0 },
            fetch: { after, batch in
                batches.append(batch)
                return Self.numbers(after: after, batch: batch, last: 1_000)
            },
            where: { $0 % 100 == 0 })
        #expect(items == [100, 200, 300])
        #expect(next == 300)
        #expect(batches == [3, 500], "the first batch is the page size, later ones larger")
        let (rest, end) = try readablePage(
            limit: 50, start: 900, position: { $0 },
            fetch: { Self.numbers(after: $0, batch: $1, last: 1_000) }, where: { $0 % 100 == 0 })
        #expect(rest == [1_000])
        #expect(end == nil)
    }

    @Test func stopsAfterScanningTheCapAndSaysWhereToGoOn() throws {
        var scannedUpTo = 0
        let (items, next) = try readablePage(
            limit: 10, start: nil, maxScanned: 1_000, position: { $0 },
            fetch: { after, batch in
                let page = Self.numbers(after: after, batch: batch, last: 1_000_000)
                scannedUpTo = page.last ?? scannedUpTo
                return page
            },
            where: { $0 == 999_999 })
        #expect(items.isEmpty)
        #expect(next == scannedUpTo)
        #expect(scannedUpTo < 2_000, "a caller who may read almost nothing cannot walk the whole table")
    }
}
