/// The management API's OpenAPI 3.1 document, served at `/api/v1/openapi.json` without
/// authentication. It describes every `/api/v1` route, `/healthz`, `/readyz` and `/metrics`;
/// the Terraform protocol routes (`/state`, `/lock`, `/unlock`) are left out because OpenAPI
/// cannot express their LOCK and UNLOCK methods.
///
/// The document is the file `docs/openapi.json`; the EmbedText build plugin compiles it in as
/// `OpenAPIDocument.json`, so the file and what the server serves cannot differ.
enum OpenAPIDocument {}
