import HTTPServer

/// Keeps web pages from changing state with the credentials a visitor's browser holds for this
/// server (cached Basic credentials, a client certificate).
///
/// A page may send a form, or a `fetch` in `no-cors` mode, to any site without asking first, but
/// only with a form content type or none at all; browsers also mark such requests with `Origin`
/// (and, over HTTPS, `Sec-Fetch-Site`). Terraform and OpenTofu send `application/json` with
/// every body and no body without it, and neither they nor curl send `Origin` or
/// `Sec-Fetch-Site`, so none of these refusals meets a real client.
enum CrossSiteGuard {
    /// The content types a browser sends to another site without a CORS preflight.
    static let formTypes: Set<String> = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]

    /// The refusal for a state-changing request that a web page could have sent, or `nil`: 415
    /// for a form content type (any parameters, any case); 403 when the browser says the request
    /// comes from another site (`Sec-Fetch-Site` other than `same-origin` or `none`, or an
    /// `Origin` whose host is not the request's `Host`).
    static func refusal(_ headers: HTTPHeaders) -> Response? {
        if let type = headers["Content-Type"],
            let media = type.split(separator: ";", omittingEmptySubsequences: false).first?.trimmingSpaces()
                .lowercased(),
            Self.formTypes.contains(media)
        {
            return .error(
                HTTPStatus(code: 415),
                "Content-Type \(media) is what a web form sends, and forms cannot change state here; send "
                    + "Content-Type: application/json (with curl, add -H 'Content-Type: application/json': "
                    + "-d and --data-binary send application/x-www-form-urlencoded)")
        }
        guard headers.fromAnotherSite else { return nil }
        return .error(
            .forbidden,
            "a web page from another site cannot change state here (the browser sent Origin or Sec-Fetch-Site "
                + "saying so); Terraform, OpenTofu and curl send neither header")
    }
}
