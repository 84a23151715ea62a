/// What a responder decides from a request head.
public enum Admission: Sendable {
    /// Answer with this response at once, without reading the body or sending `100 Continue`;
    /// the connection closes after it when a body was announced, and stays open otherwise.
    case refuse(Response)
    /// Read a body of at most `maxBodyBytes` (the server's own limit applies too; a larger one is
    /// 413), then answer the whole request with `respond`.
    case accept(maxBodyBytes: Int, respond: @Sendable (Request) -> Response)
}
