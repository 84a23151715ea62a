import Domain

/// S3 ListObjectsV2 over state names: the states with a version under a prefix, in byte order,
/// optionally grouped into common prefixes by a delimiter, a page at a time.
public struct ListObjects: Sendable {
    /// What to list.
    public struct Query: Equatable, Sendable {
        /// Only names starting with this (a full state-name prefix, such as `infra/env:/`).
        public var prefix: String
        /// Names that contain this after the prefix are grouped into one common prefix, up to and
        /// including its first occurrence there; `nil` or empty: no grouping.
        public var delimiter: String?
        /// Only names strictly after this one (S3's start-after, or where the page before ended);
        /// a common prefix returned before stands for its whole group.
        public var after: String?
        /// At most this many objects and common prefixes together, 0 to `maxLimit`.
        public var limit: Int

        /// Creates a query.
        public init(prefix: String, delimiter: String?, after: String?, limit: Int) {
            self.prefix = prefix
            self.delimiter = delimiter
            self.after = after
            self.limit = limit
        }
    }

    /// One state, listed as an object.
    public struct Object: Equatable, Sendable {
        /// The state.
        public let name: StateName
        /// The size of its latest version as written, in bytes.
        public let size: Int64
        /// MD5 of its latest version as written (the object's ETag).
        public let md5: [UInt8]
        /// When its latest version was written.
        public let modifiedAt: Timestamp
    }

    /// One page.
    public struct Page: Equatable, Sendable {
        /// The objects, in byte order of their names.
        public let objects: [Object]
        /// The common prefixes, in byte order.
        public let commonPrefixes: [String]
        /// Whether more may follow: list again after `last`.
        public let isTruncated: Bool
        /// Where the next page starts: the last name or common prefix returned, or the last name
        /// looked at when a page ends early before returning any; `nil` when nothing was looked at.
        public let last: String?
    }

    /// The most objects and common prefixes one page holds (S3's `max-keys` limit).
    public static let maxLimit = 1000
    /// The longest prefix, delimiter or start name accepted, in bytes (S3 keys go to 1024).
    public static let maxTextBytes = 1024
    /// The most names one call looks at, so that a caller who may read few states, or a listing
    /// with huge groups, cannot make one request walk the whole table.
    static let maxScanned = 10_000
    /// The most rows fetched by one store query.
    static let maxBatch = 1000

    private let store: any UnitOfWork

    /// Creates the use case.
    public init(store: any UnitOfWork) {
        self.store = store
    }

    /// The page of `query` that `caller` may read: states it may not read are left out, a
    /// common prefix appears when it may read at least one name in the group, and states that
    /// have no version (only locked so far) are never listed.
    public func execute(_ query: Query, as caller: Caller) throws(ApplicationError) -> Page {
        guard (0...Self.maxLimit).contains(query.limit) else {
            throw ApplicationError(.invalidInput, "the page size must be 0 to \(Self.maxLimit)")
        }
        for text in [query.prefix, query.delimiter, query.after] {
            if let text, text.utf8.count > Self.maxTextBytes {
                throw ApplicationError(.invalidInput, "a prefix, delimiter or start key is longer than 1024 bytes")
            }
        }
        guard query.limit > 0 else {
            return Page(objects: [], commonPrefixes: [], isTruncated: false, last: query.after)
        }
        return try ApplicationError.translating {
            try self.store.snapshot { transaction in
                var lister = Lister(query: query, caller: caller)
                return try lister.run { after, batch in
                    try transaction.catalog.states(
                        StateQuery(prefix: query.prefix, withVersion: true, after: after, limit: batch))
                }
            }
        }
    }
}

extension ListObjects {
    /// One call's walk through the names, batch by batch.
    private struct Lister {
        let query: Query
        let caller: Caller
        /// The delimiter, when it groups.
        let delimiter: String?
        var objects: [Object] = []
        var commonPrefixes: [String] = []
        /// The name or common prefix to continue after.
        var resume: String?
        /// The last name or common prefix returned: where a truncated page ends, so that the
        /// continuation never names a state the caller may not read (it looks at the unreadable
        /// ones after it again).
        var returned: String?
        var scanned = 0

        init(query: Query, caller: Caller) {
            self.query = query
            self.caller = caller
            self.delimiter = query.delimiter.flatMap { $0.isEmpty ? nil : $0 }
            self.resume = query.after
        }

        var found: Int { self.objects.count + self.commonPrefixes.count }

        /// Fetches batches from `fetch` until the page is full and one more item was seen, the
        /// store has no more, or `maxScanned` names were looked at.
        mutating func run(fetch: (StatePosition?, Int) throws -> [StateEntry]) throws -> Page {
            // At least 100 at a time: unreadable names and whole groups are skipped within a batch.
            let batch = min(max(self.query.limit + 1, 100), ListObjects.maxBatch)
            while true {
                let entries = try fetch(self.position(after: self.resume), batch)
                for entry in entries {
                    self.scanned += 1
                    if self.take(entry.state) { return self.page(truncated: true) }
                }
                if entries.count < batch { return self.page(truncated: false) }
                if self.scanned >= ListObjects.maxScanned { return self.page(truncated: true) }
            }
        }

        /// Looks at one state; `true` when it is the item after a full page.
        private mutating func take(_ state: StoredState) -> Bool {
            let name = state.name.rawValue
            let group = self.group(of: name)
            // The rest of a group already returned.
            if let group, group == self.commonPrefixes.last { return false }
            guard self.caller.principal.may(.read, state.name), let latest = state.latest else {
                self.resume = name
                return false
            }
            if self.found == self.query.limit { return true }
            if let group {
                self.commonPrefixes.append(group)
                self.resume = group
            } else {
                self.objects.append(
                    Object(name: state.name, size: latest.size, md5: latest.md5, modifiedAt: latest.createdAt))
                self.resume = name
            }
            self.returned = self.resume
            return false
        }

        /// The common prefix `name` belongs to, if the delimiter groups it.
        private func group(of name: String) -> String? {
            guard let delimiter = self.delimiter, name.utf8.starts(with: self.query.prefix.utf8) else { return nil }
            let rest = name.utf8.dropFirst(self.query.prefix.utf8.count)
            guard let range = Substring(rest).firstRange(of: delimiter) else { return nil }
            return String(Substring(name)[..<range.upperBound])
        }

        /// Where the store query starts to list what follows `resume`: right after the name, or
        /// after every name of the group when `resume` is a common prefix.
        private func position(after resume: String?) -> StatePosition? {
            guard let resume else { return nil }
            // Names are ASCII below 0x7F, so every name of the group sorts before this one.
            let name = self.group(of: resume) == resume ? resume + "\u{7F}" : resume
            return StatePosition(name: name, id: .max)
        }

        private func page(truncated: Bool) -> Page {
            Page(
                objects: self.objects, commonPrefixes: self.commonPrefixes, isTruncated: truncated,
                last: truncated ? (self.returned ?? self.resume) : self.resume)
        }
    }
}
