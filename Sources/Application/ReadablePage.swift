/// Fills a page of `limit` items that pass `filter`, fetching batches from the store after
/// `start` until it is full, the store has no more, or `maxScanned` items have been looked at (so
/// a caller who may read few states cannot make one request walk the whole table). Returns the
/// page and where the next one starts (`nil` at the end), which may follow a short page.
func readablePage<Item, Position>(
    limit: Int, start: Position?, maxScanned: Int = 10_000, position: (Item) -> Position,
    fetch: (_ after: Position?, _ batch: Int) throws -> [Item], where filter: (Item) -> Bool
) throws -> (items: [Item], next: Position?) {
    var found: [Item] = []
    var after = start
    var scanned = 0
    var batch = limit
    while true {
        let page = try fetch(after, batch)
        for item in page {
            scanned += 1
            after = position(item)
            guard filter(item) else { continue }
            found.append(item)
            if found.count == limit { return (found, after) }
        }
        if page.count < batch { return (found, nil) }
        if scanned >= maxScanned { return (found, after) }
        batch = max(limit, 500)
    }
}
