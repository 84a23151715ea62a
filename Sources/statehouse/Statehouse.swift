import ArgumentParser
import CLibPQ
import CZlib
import StatehouseCLI

/// The `statehouse` command line.
@main
struct Statehouse: ParsableCommand {
    /// The product version.
    static let version = "0.1.0"

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "statehouse",
            abstract: "A Terraform and OpenTofu state server for the http backend.",
            version: "statehouse \(version) (\(Statehouse.libraryVersions))",
            subcommands: [
                Serve.self, HealthCheck.self, Migrate.self, MigrateStore.self, HashPassword.self, StatesCommand.self,
                LocksCommand.self,
                UnlockCommand.self, VersionsCommand.self, RollbackCommand.self, DiffCommand.self, AuditCommand.self,
                RestoreCommand.self, PurgeCommand.self, TokenCommand.self, GenerateKey.self, Rekey.self, Export.self,
                Import.self,
            ])
    }

    /// Runs the command line. `--version` answers only on its own: argument-parser would also
    /// take it after any subcommand, so `statehouse rollback app --version 3` would print the
    /// version and exit 0 without rolling anything back.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.count > 1, arguments.contains("--version") {
            Self.exit(
                withError: ValidationError(
                    "--version only works alone (statehouse --version); rollback takes --to <number>"))
        }
        Self.main(arguments)
    }

    /// The versions of the C libraries linked in, for bug reports.
    static var libraryVersions: String {
        let libpq = PQlibVersion()
        return "libpq \(libpq / 10000).\(libpq % 10000), zlib \(String(cString: zlibVersion()))"
    }
}
