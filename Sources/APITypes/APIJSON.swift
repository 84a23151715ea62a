#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The management API's JSON coders, the same on both sides: keys sorted, slashes unescaped.
public enum APIJSON {
    /// A new encoder.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A new decoder.
    public static var decoder: JSONDecoder { JSONDecoder() }

    /// `value` as JSON bytes.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try self.encoder.encode(value))
    }

    /// A `T` from JSON bytes.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try self.decoder.decode(type, from: Data(bytes))
    }
}
