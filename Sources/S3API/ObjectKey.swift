import Domain

/// What an object key in a bucket is in Statehouse: a state, named `{bucket}/{key}` (Terraform's
/// other workspaces `{bucket}/env:/{workspace}/{key}` by the same rule), or the lock of one,
/// `{key}.tflock`, which is the state's one lock and never a state of its own.
enum ObjectKey: Equatable {
    /// The state itself.
    case state(StateName)
    /// The lock file of the state.
    case lock(StateName)

    /// The suffix of a lock file, as the s3 backend names it.
    static let lockSuffix = ".tflock"

    /// The state name `key` in `bucket` stands for; an S3 error saying why when the bucket is not
    /// a bucket name or the key cannot be a state name.
    init(bucket: String, key: String) throws(S3Error) {
        try Self.validate(bucket: bucket)
        var stateKey = Substring(key)
        let isLock = key.hasSuffix(Self.lockSuffix) && key.utf8.count > Self.lockSuffix.utf8.count
        if isLock { stateKey = stateKey.dropLast(Self.lockSuffix.count) }
        let full = bucket + "/" + stateKey
        guard full.utf8.count <= StateName.maxLength else {
            throw S3Error(
                400, "KeyTooLongError",
                "\(bucket)/\(key) is longer than a state name may be (\(StateName.maxLength) bytes with the bucket)")
        }
        let name: StateName
        do {
            name = try StateName(full)
        } catch {
            throw S3Error.invalidArgument("the key \(key) cannot name a state: \(error.description)")
        }
        self = isLock ? .lock(name) : .state(name)
    }

    /// The state the key is, or whose lock it is.
    var name: StateName {
        switch self {
        case .state(let name), .lock(let name): name
        }
    }

    /// S3's rule for bucket names: 3 to 63 of `a-z 0-9 . -`, starting and ending with a letter or
    /// a digit.
    static func validate(bucket: String) throws(S3Error) {
        let bytes = Array(bucket.utf8)
        let allowed = bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        guard (3...63).contains(bytes.count), allowed, bytes.first.map(isAlphanumeric) == true,
            bytes.last.map(isAlphanumeric) == true
        else {
            throw S3Error(
                400, "InvalidBucketName",
                "a bucket name is 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or a digit"
            )
        }
    }
}

private func isAlphanumeric(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
}
