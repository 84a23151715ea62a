import Domain
import Logging
import Synchronization
import Testing

@testable import Application

/// A clock the test moves by hand.
final class SteppedClock: WallClock {
    private let current = Mutex(Timestamp(microseconds: 1_795_000_000_000_000))
    func now() -> Timestamp { self.current.withLock { $0 } }
    func advance(seconds: Int64) {
        self.current.withLock { $0 = Timestamp(microseconds: $0.microseconds + seconds * 1_000_000) }
    }
}

/// Log lines kept in memory: message and metadata.
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            self.log.lines.withLock { $0.append(([event.message.description] + fields).joined(separator: " ")) }
        }
    }
}

@Suite struct LoginThrottleTests {
    let clock = SteppedClock()
    let log = CapturedLog()

    func throttle(free: Int = 3, maxDelay: Int64 = 10, forgetEvery: Int64 = 3600, capacity: Int = 100)
        -> LoginThrottle
    {
        LoginThrottle(
            policy: .init(
                freeFailures: free, maxDelay: .seconds(maxDelay), forgetEvery: .seconds(forgetEvery),
                capacity: capacity),
            clock: self.clock, logger: self.log.logger)
    }

    @Test func holdsBackPastTheFreeFailuresForDoublingDelaysUpToTheCap() {
        let throttle = self.throttle(free: 3, maxDelay: 10)
        for _ in 0..<3 { throttle.fail(.password, address: "a", user: nil) }
        #expect(throttle.hold(address: "a", user: nil) == nil, "the free failures cost nothing")
        var delays: [Int] = []
        for _ in 0..<6 {
            throttle.fail(.password, address: "a", user: nil)
            let hold = throttle.hold(address: "a", user: nil)
            #expect(hold?.reason == .address)
            delays.append(hold?.retryAfter ?? 0)
            self.clock.advance(seconds: Int64(delays.last ?? 0))
            #expect(throttle.hold(address: "a", user: nil) == nil, "free again once the delay has passed")
        }
        #expect(delays == [1, 2, 4, 8, 10, 10])
        #expect(throttle.hold(address: "b", user: nil) == nil, "other addresses are not held back")
    }

    @Test func retryAfterCountsDownInWholeSecondsRoundedUp() {
        let throttle = self.throttle(free: 0, maxDelay: 100)
        for _ in 0..<4 { throttle.fail(.token, address: "a", user: nil) }
        #expect(throttle.hold(address: "a", user: nil)?.retryAfter == 8)
        self.clock.advance(seconds: 5)
        #expect(throttle.hold(address: "a", user: nil)?.retryAfter == 3)
    }

    @Test func forgetsOneFailureEveryIntervalAndThenTheWholeEntry() {
        let throttle = self.throttle(free: 2, maxDelay: 100, forgetEvery: 60)
        for _ in 0..<4 { throttle.fail(.password, address: "a", user: "alice") }
        self.clock.advance(seconds: 120)  // two forgotten: two left
        throttle.fail(.password, address: "a", user: "alice")
        #expect(throttle.hold(address: "a", user: nil)?.retryAfter == 1, "three failures: the first past the free")
        self.clock.advance(seconds: 179)
        #expect(throttle.trackedCount == (1, 1, 0))
        self.clock.advance(seconds: 1)
        #expect(throttle.hold(address: "a", user: nil) == nil)
        #expect(throttle.trackedCount.addresses == 0, "an entry forgotten is dropped")
    }

    @Test func keepsABoundedNumberOfEntriesDroppingTheForgottenAndThenTheFewestFailures() {
        let throttle = self.throttle(free: 1, maxDelay: 100, forgetEvery: 60, capacity: 3)
        for _ in 0..<8 { throttle.fail(.password, address: "attacker", user: nil) }
        throttle.fail(.password, address: "old", user: nil)
        self.clock.advance(seconds: 60)  // "old" is forgotten; "attacker" has 7 left and is held for 4 s more
        for index in 0..<50 { throttle.fail(.password, address: "spray-\(index)", user: "name-\(index)") }
        #expect(throttle.trackedCount == (3, 3, 0))
        #expect(throttle.hold(address: "attacker", user: nil)?.reason == .address, "the busiest entry stays")
        #expect(throttle.hold(address: "spray-49", user: nil) == nil)
        throttle.fail(.password, address: "spray-49", user: nil)
        #expect(throttle.hold(address: "spray-49", user: nil)?.reason == .address, "the newest entry stays")
    }

    @Test func aFullTableDropsAQuarterAtOnceSoItsPassOverEveryEntryStaysRare() {
        let throttle = self.throttle(free: 5, forgetEvery: 3600, capacity: 8)
        for _ in 0..<3 { throttle.fail(.password, address: "busy", user: nil) }
        for index in 0..<7 { throttle.fail(.password, address: "one-\(index)", user: nil) }
        #expect(throttle.trackedCount.addresses == 8)
        throttle.fail(.password, address: "new", user: nil)
        #expect(throttle.trackedCount.addresses == 7, "down to 6, then the new one")
        throttle.fail(.password, address: "newer", user: nil)
        #expect(throttle.trackedCount.addresses == 8, "no pass until full again")
        for _ in 0..<3 { throttle.fail(.password, address: "busy", user: nil) }
        #expect(throttle.hold(address: "busy", user: nil)?.reason == .address, "the busiest entry stayed")
    }

    @Test func anAddressThatFailedHasAsManyChecksInProgressAsFreeFailuresLeftAndThenOne() {
        let throttle = self.throttle(free: 4)
        let full = LoginThrottle.Hold(reason: .address, retryAfter: 1)
        for _ in 0..<20 { #expect(throttle.begin(address: "fleet") == nil, "a clean address is not limited") }
        throttle.fail(.password, address: "a", user: nil)
        for _ in 0..<3 { #expect(throttle.begin(address: "a") == nil) }
        #expect(throttle.begin(address: "a") == full)
        #expect(throttle.begin(address: "b") == nil, "other addresses have their own")
        throttle.finish(address: "a", failed: .password, user: nil)
        #expect(throttle.begin(address: "a") == full, "two left, two in progress")
        throttle.finish(address: "a", failed: nil, user: nil)
        #expect(throttle.begin(address: "a") == nil)
        throttle.finish(address: "a", failed: .password, user: nil)
        throttle.finish(address: "a", failed: .password, user: nil)
        #expect(throttle.hold(address: "a", user: nil) == nil)
        #expect(throttle.begin(address: "a") == nil, "no free failures left: one at a time")
        #expect(throttle.begin(address: "a") == full)
        throttle.finish(address: "a", failed: nil, user: nil)
        throttle.finish(address: "b", failed: nil, user: nil)
        for _ in 0..<20 { throttle.finish(address: "fleet", failed: nil, user: nil) }
        #expect(throttle.trackedCount.checking == 0)
    }

    @Test func aNameIsHeldBackOnlyForAddressesWithFailuresOfTheirOwn() {
        let throttle = self.throttle(free: 2)
        for index in 0..<3 { throttle.fail(.password, address: "bot-\(index)", user: "alice") }
        #expect(throttle.hold(address: "bot-0", user: "alice") == LoginThrottle.Hold(reason: .user, retryAfter: 1))
        #expect(throttle.hold(address: "office", user: "alice") == nil, "a clean address is checked")
        #expect(throttle.hold(address: "bot-0", user: "bob") == nil, "other names are not held back")
    }

    @Test func aLoginRefusedByItsNameCountsAgainstItsAddress() {
        let throttle = self.throttle(free: 2)
        for index in 0..<3 { throttle.fail(.password, address: "bot-\(index)", user: "alice") }
        let hold = LoginThrottle.Hold(reason: .user, retryAfter: 1)
        throttle.refuse(hold, address: "bot-0")
        throttle.refuse(hold, address: "bot-0")
        #expect(throttle.hold(address: "bot-0", user: nil)?.reason == .address)
    }

    @Test func longNamesShareTheEntryOfTheirFirstBytes() {
        let throttle = self.throttle(free: 0)
        let prefix = String(repeating: "x", count: LoginThrottle.maxKeyBytes)
        throttle.fail(.password, address: "b", user: prefix + "1")
        throttle.fail(.password, address: "b", user: prefix + "1")
        throttle.fail(.password, address: "a", user: nil)
        #expect(throttle.hold(address: "a", user: prefix + "2")?.reason == .address)
        self.clock.advance(seconds: 1)
        #expect(throttle.hold(address: "a", user: prefix + "2")?.reason == .user)
        #expect(throttle.hold(address: "a", user: "x") == nil)
    }

    @Test func anIPv6AddressCountsByItsSlash64() {
        let throttle = self.throttle(free: 1)
        throttle.fail(.password, address: "2001:db8:1:2::1", user: nil)
        throttle.fail(.password, address: "2001:db8:1:2:aaaa:bbbb:cccc:dddd", user: nil)
        #expect(throttle.hold(address: "2001:db8:1:2:ffff::9", user: nil)?.reason == .address)
        #expect(throttle.hold(address: "2001:db8:1:3::1", user: nil) == nil)
        #expect(LoginThrottle.key(address: "2001:0db8:0001:0002::1") == "2001:db8:1:2::/64")
        #expect(LoginThrottle.key(address: "::ffff:192.0.2.1") == "192.0.2.1")
        #expect(LoginThrottle.key(address: "192.0.2.1") == "192.0.2.1")
        #expect(LoginThrottle.key(address: "fe80::1%eth0") == "fe80::1%eth0")
    }

    @Test func logsAtMostOneLinePerAddressAMinuteWithTheCountSince() {
        let throttle = self.throttle(free: 100)
        for _ in 0..<5 { throttle.fail(.password, address: "a", user: "alice") }
        throttle.fail(.oidc, address: "b", user: nil)
        self.clock.advance(seconds: 59)
        throttle.fail(.password, address: "a", user: "alice")
        self.clock.advance(seconds: 1)
        throttle.fail(.token, address: "a", user: nil)
        #expect(
            self.log.lines.withLock { $0 } == [
                "failed logins address=a failures=1 last_kind=password",
                "failed logins address=b failures=1 last_kind=oidc",
                "failed logins address=a failures=6 last_kind=token",
            ])
    }
}
