/// The web UI's session use cases, wired over one store, clock and authenticator.
public struct SessionUseCases: Sendable {
    /// Sign in.
    public let start: StartSession
    /// Find the session of a request's cookie.
    public let resume: ResumeSession
    /// Sign out.
    public let end: EndSession

    /// Bundles the use cases.
    public init(start: StartSession, resume: ResumeSession, end: EndSession) {
        self.start = start
        self.resume = resume
        self.end = end
    }
}
