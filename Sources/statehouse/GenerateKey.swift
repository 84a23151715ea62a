import Application
import ArgumentParser
import Domain

/// `statehouse generate-key`: prints a new `id:key` line for `[encryption] keys`.
struct GenerateKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-key",
        abstract: "Print a new encryption key for [encryption] keys.",
        discussion: """
            Prints one line, id:key, where the key is the base64 of 32 random bytes and the id \
            (default: today, such as 2026-12-06) is stored next to every version the key seals. \
            Put the line first in [encryption] keys (or in the key_file) to seal new versions with \
            it; keep the older keys after it until `statehouse rekey` has moved every version. \
            Keep the key file readable by the server alone:

              (umask 077; statehouse generate-key > new-key)
              cat new-key /run/secrets/statehouse-keys > keys && mv keys /run/secrets/statehouse-keys
            """)

    @Option(help: "The key's id: 1 to 64 letters, digits, '.', '_' or '-' (default: today, YYYY-MM-DD).")
    var id: String?

    func validate() throws {
        if let id = self.id, !DataKey.isValidID(id) {
            throw ValidationError("--id must be 1 to 64 letters, digits, '.', '_' or '-'")
        }
    }

    func run() throws {
        print(KeyRing.newEntry(id: self.id ?? String(SystemWallClock().now().description.prefix(10))))
    }
}
