/// The timing of one connection, from accept to close, as a pure state machine: it is told what
/// happened and when, and answers how long to wait for input and what a wait that runs out means.
/// It never reads a clock or touches a socket, so its tests give it the instants they choose.
///
/// A connection waits between requests without a thread (the first with the header timeout,
/// later ones with the idle timeout, both closed silently when they run out), then for the rest of
/// a head (header timeout from the first byte, then 408), then for the body (each read within the
/// read timeout, the body as a whole at least the minimum rate after the first read timeout, and
/// all of it within the body timeout, then 408).
/// A connection the server ends lingers for `timeouts.linger` so the peer can read the last
/// answer; writes keep their own deadline in `Socket.write`.
struct ConnectionLife: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// The limits the server is configured with.
    struct Timeouts: Sendable {
        var header: Duration
        var read: Duration
        var idle: Duration
        /// How long a whole body may take to arrive after its head.
        var body: Duration
        /// Bytes per second a body must average once `read` has passed since its head.
        var minBodyRate: Int
        var linger: Duration

        init(_ configuration: HTTPServerConfiguration, linger: Duration) {
            self.header = configuration.headerTimeout
            self.read = configuration.readTimeout
            self.idle = configuration.idleTimeout
            self.body = configuration.bodyTimeout
            self.minBodyRate = configuration.minBodyRate
            self.linger = linger
        }
    }

    /// Where the connection is.
    enum Phase: Equatable, Sendable {
        /// No byte of the next request yet; `since` is when the wait began (the accept, or the
        /// end of the last response).
        case betweenRequests(since: Instant, servedAny: Bool)
        /// Part of a request head has arrived; the request started at `since`.
        case head(since: Instant)
        /// The head was accepted at `since`; `bytes` of its body have arrived, the last of them
        /// at `lastData`.
        case body(since: Instant, bytes: Int, lastData: Instant)
        /// The request is complete and being answered.
        case answering
    }

    /// What to do while the connection needs input.
    enum Wait: Equatable, Sendable {
        /// Nothing of a request has arrived: wait for input until `deadline` without holding a
        /// thread; the server's shutdown ends the wait.
        case park(until: Instant)
        /// Wait for the rest of a request until `deadline`.
        case read(until: Instant)
        /// Take only what has already arrived, without waiting (the server is shutting down).
        case drain
        /// The wait has run out already.
        case expired(Expiry)
    }

    /// What a wait that ran out means.
    enum Expiry: Equatable, Sendable {
        /// Nothing of a request arrived: close without a word, as the client expects of an idle
        /// connection.
        case closeSilently
        /// A request was cut off: answer 408 naming what it was waiting for, then close.
        case requestTimeout(String)
    }

    let timeouts: Timeouts
    private(set) var phase: Phase

    /// A connection accepted at `now`.
    init(timeouts: Timeouts, openedAt now: Instant) {
        self.timeouts = timeouts
        self.phase = .betweenRequests(since: now, servedAny: false)
    }

    /// How to wait for input at `now`. `parserIdle` says whether the bytes received so far hold
    /// nothing of a request (stray line ends between requests do not count).
    func wait(now: Instant, parserIdle: Bool, shuttingDown: Bool) -> Wait {
        switch self.phase {
        case .betweenRequests(let since, let servedAny) where parserIdle:
            if shuttingDown { return .drain }
            // A new connection gets the header timeout for its first request; the idle timeout
            // is for kept-alive ones, so silent sockets cannot hold slots for long.
            let deadline = since + (servedAny ? self.timeouts.idle : self.timeouts.header)
            return deadline <= now ? .expired(.closeSilently) : .park(until: deadline)
        case .betweenRequests(let since, _), .head(let since):
            let deadline = since + self.timeouts.header
            return deadline <= now
                ? .expired(.requestTimeout("timed out waiting for the request head"))
                : .read(until: deadline)
        case .body(let since, let bytes, let lastData):
            // Data must keep coming within the read timeout, the body as a whole must keep up
            // the minimum rate after the first read timeout, and all of it must arrive within
            // the body timeout.
            let allowance = Duration.seconds(Double(bytes) / Double(max(self.timeouts.minBodyRate, 1)))
            let deadline = min(
                lastData + self.timeouts.read, since + self.timeouts.read + allowance, since + self.timeouts.body)
            return deadline <= now
                ? .expired(.requestTimeout("timed out waiting for the request body"))
                : .read(until: deadline)
        case .answering:
            return .expired(.closeSilently)
        }
    }

    /// Bytes arrived at `now`; `parserIdle` says whether, with them, still none of a request has
    /// arrived (only stray line ends).
    mutating func received(now: Instant, parserIdle: Bool) {
        // Within a body, any byte (chunk framing too) shows the client is still sending.
        if case .body(let since, let bytes, _) = self.phase {
            self.phase = .body(since: since, bytes: bytes, lastData: now)
            return
        }
        guard case .betweenRequests(let since, let servedAny) = self.phase else { return }
        if parserIdle {
            // Stray line ends after a response renew a kept-alive connection's idle wait.
            if servedAny { self.phase = .betweenRequests(since: now, servedAny: true) }
        } else {
            // The header timeout of a kept-alive connection's next request counts from its
            // first byte; a new connection's first request counts from the accept.
            self.phase = .head(since: servedAny ? now : since)
        }
    }

    /// The head was accepted at `now` and a body follows.
    mutating func bodyStarted(now: Instant) {
        self.phase = .body(since: now, bytes: 0, lastData: now)
    }

    /// `count` more body bytes arrived at `now`.
    mutating func bodyReceived(_ count: Int, now: Instant) {
        if case .body(let since, let bytes, _) = self.phase {
            self.phase = .body(since: since, bytes: bytes + count, lastData: now)
        }
    }

    /// The request is complete; it is being answered.
    mutating func requestComplete() {
        self.phase = .answering
    }

    /// The answer was written at `now` and the connection stays open for the next request.
    mutating func keptAlive(now: Instant) {
        self.phase = .betweenRequests(since: now, servedAny: true)
    }

    /// Whether the connection has answered a request (and so waits with the idle timeout).
    var servedAny: Bool {
        if case .betweenRequests(_, true) = self.phase { return true }
        return false
    }

    /// When the request whose head is arriving started (the accept for a connection's first
    /// request, the first byte for later ones); `nil` outside a head.
    var requestStart: Instant? {
        if case .head(let since) = self.phase { return since }
        return nil
    }
}
