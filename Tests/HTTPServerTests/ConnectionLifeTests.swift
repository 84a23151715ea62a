import Testing

@testable import HTTPServer

/// The connection's timing rules, with the instants each test chooses: no real waiting.
@Suite struct ConnectionLifeTests {
    typealias Instant = ContinuousClock.Instant

    private let start = ContinuousClock.now

    private func life(
        header: Duration = .seconds(10), read: Duration = .seconds(30), idle: Duration = .seconds(120),
        body: Duration = .seconds(300), minBodyRate: Int = 16384
    ) -> ConnectionLife {
        var configuration = HTTPServerConfiguration()
        configuration.headerTimeout = header
        configuration.readTimeout = read
        configuration.idleTimeout = idle
        configuration.bodyTimeout = body
        configuration.minBodyRate = minBodyRate
        return ConnectionLife(timeouts: .init(configuration, linger: .seconds(2)), openedAt: self.start)
    }

    private func at(_ seconds: Double) -> Instant { self.start + .milliseconds(Int64((seconds * 1000).rounded())) }

    @Test func aSilentNewConnectionGetsTheHeaderTimeoutNotTheIdleTimeout() {
        let life = self.life(header: .milliseconds(300), idle: .seconds(600))
        #expect(
            life.wait(now: self.start, parserIdle: true, shuttingDown: false)
                == .park(until: self.at(0.3)))
        #expect(life.wait(now: self.at(0.3), parserIdle: true, shuttingDown: false) == .expired(.closeSilently))
    }

    @Test func theFirstRequestsHeadCountsFromTheAccept() {
        var life = self.life()
        life.received(now: self.at(4), parserIdle: false)
        #expect(
            life.wait(now: self.at(4), parserIdle: false, shuttingDown: false)
                == .read(until: self.at(10)))
        #expect(
            life.wait(now: self.at(10), parserIdle: false, shuttingDown: false)
                == .expired(.requestTimeout("timed out waiting for the request head")))
    }

    @Test func aHeadDrippedByteByByteIsCutOffAtTheHeaderTimeout() {
        // One byte every 300 ms, the way a slowloris client drips its head: each byte comes well
        // within any per-read limit, but the head as a whole has 1.5 s.
        var life = self.life(header: .milliseconds(1500))
        var now = 0.0
        var waits = 0
        while case .read = life.wait(now: self.at(now), parserIdle: false, shuttingDown: false) {
            life.received(now: self.at(now), parserIdle: false)
            now += 0.3
            waits += 1
        }
        #expect(waits == 5)
        #expect(
            life.wait(now: self.at(now), parserIdle: false, shuttingDown: false)
                == .expired(.requestTimeout("timed out waiting for the request head")))
    }

    @Test func aKeptAliveConnectionWaitsTheIdleTimeoutThenClosesSilently() {
        var life = self.life(header: .seconds(1), idle: .seconds(120))
        life.received(now: self.at(0.1), parserIdle: false)
        life.requestComplete()
        life.keptAlive(now: self.at(0.2))
        #expect(
            life.wait(now: self.at(0.2), parserIdle: true, shuttingDown: false)
                == .park(until: self.at(120.2)))
        #expect(life.wait(now: self.at(120.2), parserIdle: true, shuttingDown: false) == .expired(.closeSilently))
    }

    @Test func theNextRequestsHeadCountsFromItsFirstByte() {
        var life = self.life(header: .seconds(10))
        #expect(life.requestStart == nil)
        life.received(now: self.at(2), parserIdle: false)
        #expect(life.requestStart == self.start, "a first request starts at the accept")
        life.requestComplete()
        life.keptAlive(now: self.at(1))
        life.received(now: self.at(50), parserIdle: false)
        #expect(life.requestStart == self.at(50))
        #expect(
            life.wait(now: self.at(50), parserIdle: false, shuttingDown: false)
                == .read(until: self.at(60)))
    }

    @Test func strayLineEndsAfterAResponseDoNotTurnIntoA408() {
        var life = self.life(header: .milliseconds(100), idle: .seconds(600))
        life.requestComplete()
        life.keptAlive(now: self.at(1))
        // "\r\n" after the request: the parser is still idle, so this is still the idle wait.
        life.received(now: self.at(1.01), parserIdle: true)
        #expect(
            life.wait(now: self.at(2), parserIdle: true, shuttingDown: false)
                == .park(until: self.at(601.01)))
    }

    @Test func aStalledBodyTimesOutAfterTheReadTimeout() {
        var life = self.life(read: .milliseconds(300))
        life.received(now: self.at(0), parserIdle: false)
        life.bodyStarted(now: self.at(0.1))
        life.bodyReceived(3, now: self.at(0.1))
        #expect(
            life.wait(now: self.at(0.1), parserIdle: false, shuttingDown: false)
                == .read(until: self.at(0.4)))
        #expect(
            life.wait(now: self.at(0.4), parserIdle: false, shuttingDown: false)
                == .expired(.requestTimeout("timed out waiting for the request body")))
    }

    @Test func aBodyDrippedJustInsideTheReadTimeoutIsCutOffByTheMinimumRate() {
        // Each byte comes 200 ms after the last, well within the 1 s read timeout, but the
        // average stays far below 1000 B/s.
        var life = self.life(read: .seconds(1), minBodyRate: 1000)
        life.received(now: self.at(0), parserIdle: false)
        life.bodyStarted(now: self.at(0))
        var sent = 0
        var now = 0.0
        while case .read(let deadline) = life.wait(now: self.at(now), parserIdle: false, shuttingDown: false) {
            #expect(deadline <= self.at(now + 1))
            now += 0.2
            life.bodyReceived(1, now: self.at(now))
            sent += 1
        }
        #expect(sent == 6)
        #expect(
            life.wait(now: self.at(now), parserIdle: false, shuttingDown: false)
                == .expired(.requestTimeout("timed out waiting for the request body")))
    }

    @Test func chunkFramingAloneKeepsABodyAlive() {
        var life = self.life(read: .seconds(1), minBodyRate: 1)
        life.received(now: self.at(0), parserIdle: false)
        life.bodyStarted(now: self.at(0))
        life.bodyReceived(100, now: self.at(0.1))
        // A chunk-size line arrives alone, with no body byte: the read wait starts again.
        life.received(now: self.at(0.9), parserIdle: false)
        #expect(
            life.wait(now: self.at(0.9), parserIdle: false, shuttingDown: false)
                == .read(until: self.at(1.9)))
    }

    @Test func aBodyKeepingUpTheRateIsNeverCutOff() {
        var life = self.life(read: .seconds(1), minBodyRate: 1000)
        life.received(now: self.at(0), parserIdle: false)
        life.bodyStarted(now: self.at(0))
        for tick in 1...100 {
            let now = Double(tick) * 0.5
            life.bodyReceived(600, now: self.at(now))
            guard case .read(let deadline) = life.wait(now: self.at(now), parserIdle: false, shuttingDown: false)
            else {
                Issue.record("cut off after \(tick) reads")
                return
            }
            #expect(deadline == self.at(now + 1))
        }
    }

    @Test func aBodyKeepingUpTheRateIsCutOffAtTheBodyTimeout() {
        var life = self.life(read: .seconds(1), body: .seconds(10), minBodyRate: 1000)
        life.received(now: self.at(0), parserIdle: false)
        life.bodyStarted(now: self.at(0))
        var now = 0.0
        while case .read(let deadline) = life.wait(now: self.at(now), parserIdle: false, shuttingDown: false) {
            #expect(deadline <= self.at(10))
            now += 0.5
            life.bodyReceived(100_000, now: self.at(now))
        }
        #expect(now == 10)
        #expect(
            life.wait(now: self.at(now), parserIdle: false, shuttingDown: false)
                == .expired(.requestTimeout("timed out waiting for the request body")))
    }

    @Test func shutdownDrainsBetweenRequestsButNotWithinOne() {
        var life = self.life()
        #expect(life.wait(now: self.at(1), parserIdle: true, shuttingDown: true) == .drain)
        life.received(now: self.at(1), parserIdle: false)
        #expect(
            life.wait(now: self.at(1), parserIdle: false, shuttingDown: true)
                == .read(until: self.at(10)))
    }
}
