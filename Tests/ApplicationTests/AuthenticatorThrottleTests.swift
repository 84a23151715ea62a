import Domain
import Synchronization
import Testing

@testable import Application

/// Alice's password is "right"; every full check is counted.
final class CountingPasswords: CredentialVerifier {
    let alice = Principal(name: "alice", grants: [Grant(prefix: "*", access: .read)])
    let runner = Principal(name: "runner", grants: [Grant(prefix: "*", access: .write)])
    let fullChecks = Atomic(0)
    /// Whether alice has logged in since the start, so her password is remembered.
    let remembers: Bool
    let busy: Bool

    init(remembers: Bool = false, busy: Bool = false) {
        self.remembers = remembers
        self.busy = busy
    }

    func verify(username: String, password: String) -> CredentialCheck {
        self.fullChecks.add(1, ordering: .relaxed)
        if self.busy { return .busy }
        return username == "alice" && password == "right" ? .accepted(self.alice) : .rejected
    }

    func remembered(username: String, password: String) -> Principal? {
        self.remembers && username == "alice" && password == "right" ? self.alice : nil
    }

    func verify(certificateCommonName: String) -> Principal? {
        certificateCommonName == "runner" ? self.runner : nil
    }

    func principal(named name: String) -> Principal? { nil }
}

/// Accepts `sht_good`; recognizes anything starting `sht_`.
struct PrefixedTokens: SecretVerifier {
    let loginKind = LoginKind.token
    func recognizes(_ secret: String) -> Bool { secret.hasPrefix("sht_") }
    func verify(secret: String) -> CredentialCheck {
        secret == "sht_good" ? .accepted(Principal(name: "token:alice/ci", grants: [])) : .rejected
    }
}

/// Rejects every password; while it checks one, runs the login the test put in `meanwhile`, as a
/// concurrent request would arrive.
final class InterleavingPasswords: CredentialVerifier {
    let meanwhile = Mutex<(@Sendable () -> Void)?>(nil)
    let fullChecks = Atomic(0)

    func verify(username: String, password: String) -> CredentialCheck {
        self.fullChecks.add(1, ordering: .relaxed)
        let login = self.meanwhile.withLock { hook in
            defer { hook = nil }
            return hook
        }
        login?()
        return .rejected
    }

    func remembered(username: String, password: String) -> Principal? { nil }
    func verify(certificateCommonName: String) -> Principal? { nil }
    func principal(named name: String) -> Principal? { nil }
}

/// What a login made meanwhile was answered.
final class Answer: Sendable {
    let check = Mutex<CredentialCheck?>(nil)
}

@Suite struct AuthenticatorThrottleTests {
    let clock = SteppedClock()

    func authenticator(_ passwords: CountingPasswords, free: Int = 2) -> Authenticator {
        Authenticator(
            passwords: passwords, secrets: [PrefixedTokens()],
            throttle: LoginThrottle(
                policy: .init(freeFailures: free, maxDelay: .seconds(60), forgetEvery: .seconds(3600)),
                clock: self.clock, logger: CapturedLog().logger))
    }

    @Test func anAddressPastItsFreeFailuresIsHeldBackBeforeAnyVerifierRuns() {
        let passwords = CountingPasswords()
        let authenticator = self.authenticator(passwords)
        for _ in 0..<3 {
            #expect(authenticator.authenticate(.basic(username: "alice", password: "wrong"), from: "a") == .rejected)
        }
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "wrong"), from: "a")
                == .throttled(retryAfter: 1))
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "right"), from: "a")
                == .throttled(retryAfter: 1))
        #expect(passwords.fullChecks.load(ordering: .relaxed) == 3, "nothing held back was checked")
        #expect(authenticator.authenticate(.basic(username: "bob", password: "right"), from: "b") == .rejected)
        self.clock.advance(seconds: 1)
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "right"), from: "a")
                == .accepted(passwords.alice))
    }

    @Test func aUserWhoLoggedInBeforeGetsInWhileAFloodHoldsTheirName() {
        let passwords = CountingPasswords(remembers: true)
        let authenticator = self.authenticator(passwords)
        for index in 0..<3 {
            _ = authenticator.authenticate(.basic(username: "alice", password: "guess"), from: "bot-\(index)")
        }
        // bot-0 has a failure of its own: the name holds it back, except with the remembered password.
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "guess"), from: "bot-0")
                == .throttled(retryAfter: 1))
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "right"), from: "bot-0")
                == .accepted(passwords.alice))
        #expect(passwords.fullChecks.load(ordering: .relaxed) == 3)
        // Guesses held back by the name count against bot-0: another one, and its address holds it back.
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "guess"), from: "bot-0")
                == .throttled(retryAfter: 1))
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "right"), from: "bot-0")
                == .throttled(retryAfter: 1))
        #expect(passwords.fullChecks.load(ordering: .relaxed) == 3)
    }

    @Test func aCleanAddressIsCheckedWhileTheNameIsHeldBack() {
        let passwords = CountingPasswords()
        let authenticator = self.authenticator(passwords)
        for index in 0..<3 {
            _ = authenticator.authenticate(.basic(username: "alice", password: "guess"), from: "bot-\(index)")
        }
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "right"), from: "bot-0")
                == .throttled(retryAfter: 1), "not remembered")
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "right"), from: "office")
                == .accepted(passwords.alice))
        #expect(passwords.fullChecks.load(ordering: .relaxed) == 4)
    }

    @Test func badTokensCountAgainstTheAddressButTokensAreNeverHeldBack() {
        let passwords = CountingPasswords()
        let authenticator = self.authenticator(passwords, free: 1)
        #expect(authenticator.authenticate(.bearer("sht_bad"), from: "a") == .rejected)
        #expect(authenticator.authenticate(.basic(username: "x", password: "sht_bad"), from: "a") == .rejected)
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "right"), from: "a")
                == .throttled(retryAfter: 1))
        self.clock.advance(seconds: 1)
        #expect(authenticator.authenticate(.bearer("unrecognized"), from: "a") == .rejected)
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "right"), from: "a")
                == .throttled(retryAfter: 2), "three failures now")
        #expect(
            authenticator.authenticate(.bearer("sht_good"), from: "a")
                == .accepted(Principal(name: "token:alice/ci", grants: [])),
            "a CI job's token behind the same address still works")
        #expect(passwords.fullChecks.load(ordering: .relaxed) == 0)
    }

    @Test func concurrentGuessesFromOneAddressThatFailedAreNotAllChecked() {
        let passwords = InterleavingPasswords()
        let throttle = LoginThrottle(policy: .init(freeFailures: 2), clock: self.clock, logger: CapturedLog().logger)
        let authenticator = Authenticator(passwords: passwords, throttle: throttle)
        throttle.fail(.password, address: "a", user: nil)
        throttle.fail(.password, address: "b", user: nil)
        let sameAddress = Answer()
        let otherAddress = Answer()
        passwords.meanwhile.withLock {
            $0 = {
                sameAddress.check.withLock {
                    $0 = authenticator.authenticate(.basic(username: "alice", password: "guess-2"), from: "a")
                }
                otherAddress.check.withLock {
                    $0 = authenticator.authenticate(.basic(username: "alice", password: "guess-3"), from: "b")
                }
            }
        }
        #expect(authenticator.authenticate(.basic(username: "alice", password: "guess-1"), from: "a") == .rejected)
        #expect(sameAddress.check.withLock { $0 } == .throttled(retryAfter: 1))
        #expect(otherAddress.check.withLock { $0 } == .rejected)
        #expect(passwords.fullChecks.load(ordering: .relaxed) == 2)
    }

    @Test func busyIsNotAFailure() {
        let passwords = CountingPasswords(busy: true)
        let authenticator = self.authenticator(passwords, free: 0)
        for _ in 0..<5 {
            #expect(authenticator.authenticate(.basic(username: "alice", password: "right"), from: "a") == .busy)
        }
        #expect(passwords.fullChecks.load(ordering: .relaxed) == 5)
    }

    @Test func certificatesAreNeverHeldBackButTheirFailuresCount() {
        let passwords = CountingPasswords()
        let authenticator = self.authenticator(passwords, free: 0)
        #expect(authenticator.authenticate(.certificate(commonName: "stranger"), from: "a") == .rejected)
        #expect(
            authenticator.authenticate(.basic(username: "alice", password: "right"), from: "a")
                == .throttled(retryAfter: 1))
        #expect(
            authenticator.authenticate(.certificate(commonName: "runner"), from: "a") == .accepted(passwords.runner))
    }
}
