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
                Serve.self, Migrate.self, MigrateStore.self, HashPassword.self, StatesCommand.self, LocksCommand.self,
                UnlockCommand.self, VersionsCommand.self, RollbackCommand.self, DiffCommand.self, AuditCommand.self,
            ],
            defaultSubcommand: Serve.self)
    }

    /// The versions of the C libraries linked in, for bug reports.
    static var libraryVersions: String {
        let libpq = PQlibVersion()
        return "libpq \(libpq / 10000).\(libpq % 10000), zlib \(String(cString: zlibVersion()))"
    }
}
