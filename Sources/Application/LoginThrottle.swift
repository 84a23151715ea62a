import Domain
import Logging
import Metrics
import Synchronization
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a login was attempted, as the failure metrics label it.
public enum LoginKind: String, CaseIterable, Sendable {
    /// A configured user's password (HTTP Basic).
    case password
    /// An API token.
    case token
    /// A workload's OIDC ID token.
    case oidc
    /// A TLS client certificate.
    case certificate
}

/// Holds back logins after repeated failures, before any credential is checked.
///
/// Failed logins are counted per client address (an IPv6 address by its /64, which one host
/// usually has whole) and per user name. The first `freeFailures`
/// cost nothing; each further one holds its address (or name) back for 1 s, 2 s, 4 s … up to
/// `maxDelay`, and a login held back is answered at once without checking it. One failure is
/// forgotten every `forgetEvery`. A name is only held back for addresses that have failures of
/// their own, so a flood against a user name from elsewhere never stops its user logging in
/// from a clean address. Each table keeps at most `capacity` entries: when full, the forgotten
/// entries go, or else the one with the fewest failures.
public final class LoginThrottle: Sendable {
    /// When logins are held back.
    public struct Policy: Sendable {
        /// Failures an address or name may have before it is held back.
        public var freeFailures: Int
        /// The longest hold.
        public var maxDelay: Duration
        /// One failure is forgotten this often.
        public var forgetEvery: Duration
        /// Addresses, and names, tracked at most.
        public var capacity: Int

        /// The policy; the defaults are the configuration's.
        public init(
            freeFailures: Int = 5, maxDelay: Duration = .seconds(300), forgetEvery: Duration = .seconds(60),
            capacity: Int = 10_000
        ) {
            self.freeFailures = freeFailures
            self.maxDelay = maxDelay
            self.forgetEvery = forgetEvery
            self.capacity = capacity
        }
    }

    /// What a login is held back by, as the throttled metric labels it.
    public enum Reason: String, CaseIterable, Sendable {
        /// Failures from its client address.
        case address
        /// Failures for its user name.
        case user
    }

    /// A login held back: why, and for how many whole seconds more.
    public struct Hold: Equatable, Sendable {
        /// Why.
        public let reason: Reason
        /// Seconds until it may be checked again (at least 1).
        public let retryAfter: Int
    }

    /// The failures of one address or name, in microseconds of the clock.
    private struct Tally {
        var failures = 0
        /// When the next failure is forgotten, less `forgetEvery`.
        var forgetFrom: Int64 = 0
        var heldUntil: Int64 = 0
        /// Failures not logged yet, and when the last log line went out.
        var unlogged = 0
        var loggedAt: Int64?

        /// Forgets the failures whose time has passed.
        mutating func forget(now: Int64, every: Int64) {
            let due = min(Int64(self.failures), max(0, now - self.forgetFrom) / every)
            self.failures -= Int(due)
            self.forgetFrom = self.failures == 0 ? now : self.forgetFrom + due * every
        }
    }

    /// Tallies by key, at most `capacity`.
    private struct Table {
        var tallies: [String: Tally] = [:]

        /// The key's tally with what is due forgotten, or `nil` when nothing of it is left.
        mutating func tally(_ key: String, now: Int64, every: Int64) -> Tally? {
            guard var tally = self.tallies[key] else { return nil }
            tally.forget(now: now, every: every)
            guard tally.failures > 0 || tally.heldUntil > now else {
                self.tallies[key] = nil
                return nil
            }
            self.tallies[key] = tally
            return tally
        }

        /// Room for one more key: the forgotten entries go, or else those with the fewest failures
        /// (the oldest of those) down to three quarters of `capacity`, so that this pass over
        /// every entry, under the lock every login takes, stays rare however many new keys come.
        mutating func makeRoom(capacity: Int, now: Int64, every: Int64) {
            guard self.tallies.count >= capacity else { return }
            for key in Array(self.tallies.keys) { _ = self.tally(key, now: now, every: every) }
            let excess = self.tallies.count - capacity * 3 / 4
            guard self.tallies.count >= capacity, excess > 0 else { return }
            let weakest = self.tallies.sorted {
                ($0.value.failures, $0.value.forgetFrom) < ($1.value.failures, $1.value.forgetFrom)
            }
            for (key, _) in weakest.prefix(excess) { self.tallies[key] = nil }
        }
    }

    private struct Tables {
        var addresses = Table()
        var users = Table()
        /// Checks in progress by address (as many entries at most as requests being served).
        var checking: [String: Int] = [:]
    }

    /// The longest key kept: longer user names share the entry of their first bytes.
    static let maxKeyBytes = 128
    /// At most one log line per address this often.
    static let logInterval: Int64 = 60_000_000

    /// The policy in force.
    public let policy: Policy
    private let clock: any WallClock
    private let logger: Logger
    private let tables = Mutex(Tables())
    private let failureCounters: [LoginKind: Counter]
    private let throttledCounters: [Reason: Counter]

    /// A throttle under `policy`, timed by `clock`, logging failures to `logger` and counting
    /// them through `factory`.
    public init(
        policy: Policy = Policy(), clock: any WallClock, logger: Logger,
        factory: any MetricsFactory = NOOPMetricsHandler.instance
    ) {
        self.policy = policy
        self.clock = clock
        self.logger = logger
        var failures: [LoginKind: Counter] = [:]
        for kind in LoginKind.allCases {
            failures[kind] = Counter(
                label: "statehouse_login_failures_total", dimensions: [("kind", kind.rawValue)], factory: factory)
        }
        self.failureCounters = failures
        var throttled: [Reason: Counter] = [:]
        for reason in Reason.allCases {
            throttled[reason] = Counter(
                label: "statehouse_logins_throttled_total", dimensions: [("reason", reason.rawValue)],
                factory: factory)
        }
        self.throttledCounters = throttled
    }

    private var every: Int64 { max(1, self.policy.forgetEvery.microseconds) }

    /// What holds back a login from `address` (as `user`, for a password), or `nil` when it may
    /// be checked now.
    public func hold(address: String, user: String?) -> Hold? {
        let now = self.clock.now().microseconds
        let address = Self.key(address: address)
        return self.tables.withLock { tables in
            let own = tables.addresses.tally(address, now: now, every: self.every)
            if let own, own.heldUntil > now {
                return Hold(reason: .address, retryAfter: Self.seconds(own.heldUntil - now))
            }
            guard let own, own.failures > 0, let user,
                let named = tables.users.tally(Self.key(user: user), now: now, every: self.every), named.heldUntil > now
            else { return nil }
            return Hold(reason: .user, retryAfter: Self.seconds(named.heldUntil - now))
        }
    }

    /// Takes one of the checks an address may have in progress, or says what holds it back: as
    /// many as it has free failures left, at least one, once it has failed; a clean address is
    /// not limited, so that many clients behind one address logging in at once (a CI fleet
    /// after a restart) are all checked. Concurrent guesses from an address that has failed
    /// would otherwise all be checked before the next failure counts. `finish` gives it back.
    public func begin(address: String) -> Hold? {
        let now = self.clock.now().microseconds
        let address = Self.key(address: address)
        return self.tables.withLock { tables in
            let failures = tables.addresses.tally(address, now: now, every: self.every)?.failures ?? 0
            let checking = tables.checking[address, default: 0]
            guard failures == 0 || checking < max(1, self.policy.freeFailures - failures) else {
                return Hold(reason: .address, retryAfter: 1)
            }
            tables.checking[address] = checking + 1
            return nil
        }
    }

    /// Ends a check `begin` allowed; counts it as a failure of `kind` (as `user`, for a password)
    /// when it is one.
    public func finish(address: String, failed kind: LoginKind?, user: String?) {
        let key = Self.key(address: address)
        self.tables.withLock { tables in
            let checking = tables.checking[key, default: 1] - 1
            tables.checking[key] = checking > 0 ? checking : nil
        }
        if let kind { self.fail(kind, address: address, user: user) }
    }

    /// Counts a login answered with `hold`. One held back by its user name counts as a failure
    /// of its address too: the password it brought was not the one the user last logged in with.
    public func refuse(_ hold: Hold, address: String) {
        self.throttledCounters[hold.reason]?.increment()
        if hold.reason == .user { self.fail(.password, address: address, user: nil) }
    }

    /// Counts a failed login of `kind` from `address` (as `user`, for a password).
    public func fail(_ kind: LoginKind, address: String, user: String?) {
        self.failureCounters[kind]?.increment()
        let now = self.clock.now().microseconds
        let address = Self.key(address: address)
        let logLine = self.tables.withLock { tables -> Int? in
            let logged = self.count(address, in: &tables.addresses, now: now)
            if let user { _ = self.count(Self.key(user: user), in: &tables.users, now: now) }
            return logged
        }
        if let logLine {
            self.logger.warning(
                "failed logins",
                metadata: ["address": .string(address), "failures": "\(logLine)", "last_kind": "\(kind)"])
        }
    }

    /// Adds a failure to `key`'s tally and holds it back past the free ones; the failures to log
    /// now, if a line is due.
    private func count(_ key: String, in table: inout Table, now: Int64) -> Int? {
        var tally = table.tally(key, now: now, every: self.every) ?? Tally(forgetFrom: now)
        if table.tallies[key] == nil { table.makeRoom(capacity: self.policy.capacity, now: now, every: self.every) }
        tally.failures += 1
        let excess = tally.failures - self.policy.freeFailures
        if excess > 0 {
            let delay = min(self.policy.maxDelay.microseconds, 1_000_000 << min(excess - 1, 32))
            tally.heldUntil = max(tally.heldUntil, now + delay)
        }
        tally.unlogged += 1
        var logLine: Int? = nil
        if tally.loggedAt.map({ now - $0 >= Self.logInterval }) ?? true {
            logLine = tally.unlogged
            tally.unlogged = 0
            tally.loggedAt = now
        }
        table.tallies[key] = tally
        return logLine
    }

    /// How many addresses and names are tracked, and addresses with checks in progress (for tests).
    package var trackedCount: (addresses: Int, users: Int, checking: Int) {
        self.tables.withLock { ($0.addresses.tallies.count, $0.users.tallies.count, $0.checking.count) }
    }

    private static func key(user: String) -> String {
        user.utf8.count <= Self.maxKeyBytes ? user : String(decoding: user.utf8.prefix(Self.maxKeyBytes), as: UTF8.self)
    }

    /// `2001:db8:1:2::/64` for an IPv6 address in it, the IPv4 address of an IPv4-mapped one,
    /// anything else as it is.
    static func key(address: String) -> String {
        var parsed = in6_addr()
        guard address.contains(":"), inet_pton(AF_INET6, address, &parsed) == 1 else { return address }
        let bytes = withUnsafeBytes(of: parsed) { Array($0) }
        if bytes[..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return bytes[12...].map { String($0) }.joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }
        return groups.joined(separator: ":") + "::/64"
    }

    /// Whole seconds, rounded up, at least 1.
    private static func seconds(_ microseconds: Int64) -> Int {
        max(1, Int((microseconds + 999_999) / 1_000_000))
    }
}
