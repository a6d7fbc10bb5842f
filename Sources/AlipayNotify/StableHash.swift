/// A short fingerprint of bytes that is the same in every process and
/// release (FNV-1a, 64 bits; not for security): a name when the original
/// is too long for a field, or a key for bodies without an id.
public enum StableHash {
    public static func fnv1a<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return hash
    }
}
