import APITypes
import ArgumentParser

/// `statehouse token`: create, list and revoke API tokens.
public struct TokenCommand: ParsableCommand {
    /// The command's name and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke API tokens (log in as a user).",
        subcommands: [Create.self, List.self, Revoke.self])

    /// Creates the command.
    public init() {}

    /// `statehouse token create NAME --grant PREFIX=LEVEL … [--expires 30d] [--s3]`.
    public struct Create: APICommand {
        /// The command's name and help.
        public static let configuration = CommandConfiguration(
            abstract: "Create a token; prints its secret alone (it is shown only once).",
            discussion: """
                Use the secret as TF_HTTP_PASSWORD (any TF_HTTP_USERNAME) or as \
                `Authorization: Bearer <secret>`. Each grant must be within your own. With --s3, \
                creates an S3 key for the S3 endpoint instead and prints AWS_ACCESS_KEY_ID=… and \
                AWS_SECRET_ACCESS_KEY=… lines.
                """)

        /// Server and output options.
        @OptionGroup public var connection: ConnectionOptions

        /// The token's name.
        @Argument(help: "A name, unique among your live tokens (letters, digits, '.', '_', '-').")
        public var name: String

        /// `PREFIX=LEVEL` pairs.
        @Option(name: .customLong("grant"), help: "PREFIX=LEVEL, such as team/app=write or '*=read'; repeatable.")
        public var grants: [String] = []

        /// How long the token lives.
        @Option(help: "How long it lives: 30d, 12h, 90m or seconds (default: the server's).")
        public var expires: String?

        /// Whether it is an S3 key.
        @Flag(help: "Create an S3 key (access key id and secret access key) for the S3 endpoint.")
        public var s3 = false

        /// Creates the command.
        public init() {}

        /// Checks that there is at least one well-formed grant.
        public func validate() throws {
            guard !self.grants.isEmpty else { throw ValidationError("give at least one --grant PREFIX=LEVEL") }
            _ = try self.grantTable()
        }

        /// The grants as the request's table.
        func grantTable() throws(ValidationError) -> [String: String] {
            var table: [String: String] = [:]
            for grant in self.grants {
                guard let equals = grant.lastIndex(of: "="), equals != grant.startIndex else {
                    throw ValidationError("--grant \(grant): expected PREFIX=LEVEL, such as team/app=write")
                }
                let prefix = String(grant[..<equals])
                guard table[prefix] == nil else { throw ValidationError("--grant \(prefix) is given twice") }
                table[prefix] = String(grant[grant.index(after: equals)...])
            }
            return table
        }

        /// Sends `POST /tokens`; prints the secret alone, or an S3 key's two `AWS_…=` lines (the
        /// whole answer with `--json`).
        public func perform(_ api: APIClient) throws(CLIError) -> String {
            let grants: [String: String]
            do {
                grants = try self.grantTable()
            } catch {
                throw .usage(error.message)
            }
            let response = try api.call(
                "POST", .tokens,
                body: CreateTokenRequest(
                    name: self.name, grants: grants, expiresIn: self.expires, s3: self.s3 ? true : nil))
            if self.connection.json { return response.text }
            let created = try api.decode(CreatedToken.self, response)
            if let accessKeyID = created.accessKeyID, let secretAccessKey = created.secretAccessKey {
                return "AWS_ACCESS_KEY_ID=\(accessKeyID)\nAWS_SECRET_ACCESS_KEY=\(secretAccessKey)"
            }
            guard let token = created.token else {
                throw .invalidResponse(server: api.http.server.description, reason: "token: missing")
            }
            return token
        }
    }

    /// `statehouse token list`.
    public struct List: APICommand {
        /// The command's name and help.
        public static let configuration = CommandConfiguration(
            abstract: "List your tokens (every user's for an admin on '*'), never their secrets.")

        /// Server and output options.
        @OptionGroup public var connection: ConnectionOptions

        /// Creates the command.
        public init() {}

        /// Sends `GET /tokens` and prints a table.
        public func perform(_ api: APIClient) throws(CLIError) -> String {
            let response = try api.call("GET", .tokens)
            if self.connection.json { return response.text }
            return Render.tokens(try api.decode(TokenList.self, response).tokens)
        }
    }

    /// `statehouse token revoke ID`.
    public struct Revoke: APICommand {
        /// The command's name and help.
        public static let configuration = CommandConfiguration(
            abstract: "Revoke a token at once, on every server.")

        /// Server and output options.
        @OptionGroup public var connection: ConnectionOptions

        /// The token's id.
        @Argument(help: "The token's id (tok_…), from `statehouse token list`.")
        public var id: String

        /// Creates the command.
        public init() {}

        /// Sends `DELETE /tokens/{id}`.
        public func perform(_ api: APIClient) throws(CLIError) -> String {
            let response = try api.call("DELETE", .token(self.id))
            if self.connection.json { return response.text }
            let token = try api.decode(Token.self, response)
            return "Revoked \(token.id) (\(token.name) of \(token.owner))."
        }
    }
}
