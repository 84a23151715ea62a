/// A small deterministic generator, seeded from the input so that a failing input always fails
/// the same way.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// A generator seeded with the FNV-1a hash of `bytes`.
    init(seededBy bytes: [UInt8]) {
        self.state = bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
