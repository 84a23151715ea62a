/// The files of one backup, named by paths relative to its directory with `/` between segments
/// (`states/team/app/@live/3.tfstate`). Paths come from ``BackupLayout`` and are checked by it
/// before they reach an adapter; an adapter never leaves the directory or follows a link in it.
public protocol BackupFiles {
    /// Writes a new file at `path`, readable by its owner only, creating its directories as
    /// needed; never replaces a file.
    func write(_ path: String, _ bytes: [UInt8]) throws

    /// Makes every file written so far, and its directory entry, durable on disk.
    func sync() throws

    /// The bytes of the regular file at `path`, or `nil` when there is none; throws when it is a
    /// link or anything but a regular file, or holds more than `limit` bytes.
    func read(_ path: String, limit: Int) throws -> [UInt8]?
}
