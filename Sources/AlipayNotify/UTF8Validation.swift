/// Strict UTF-8 validation on bytes, without building a `String`.
///
/// Rejects overlong forms, surrogates, code points above U+10FFFF and
/// truncated sequences, as RFC 3629 requires. Contiguous bytes are read
/// eight at a time while they are ASCII (most of a notification is).
public enum UTF8Validation {
    public static func isValid<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        if let valid = bytes.withContiguousStorageIfAvailable(isValid(buffer:)) { return valid }
        var iterator = bytes.makeIterator()
        while let lead = iterator.next() {
            if lead < 0x80 { continue }
            guard let sequence = MultiByteSequence(lead: lead) else { return false }
            for index in 0..<sequence.continuationCount {
                guard let byte = iterator.next(), sequence.accepts(byte, at: index) else { return false }
            }
        }
        return true
    }

    static func isValid(buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = buffer.baseAddress else { return true }
        let count = buffer.count
        var index = 0
        while index < count {
            while index + 8 <= count,
                  UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
            }
            guard index < count else { return true }
            let lead = base[index]
            index += 1
            if lead < 0x80 { continue }
            guard let sequence = MultiByteSequence(lead: lead), index + sequence.continuationCount <= count else { return false }
            for offset in 0..<sequence.continuationCount {
                guard sequence.accepts(base[index + offset], at: offset) else { return false }
            }
            index += sequence.continuationCount
        }
        return true
    }

    /// What a lead byte of a multi-byte sequence allows after it.
    struct MultiByteSequence {
        let continuationCount: Int
        /// The range of the first continuation byte (narrower after E0, ED, F0, F4).
        let first: ClosedRange<UInt8>

        init?(lead: UInt8) {
            switch lead {
            case 0xC2...0xDF: continuationCount = 1; first = 0x80...0xBF
            case 0xE0: continuationCount = 2; first = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: continuationCount = 2; first = 0x80...0xBF
            case 0xED: continuationCount = 2; first = 0x80...0x9F
            case 0xF0: continuationCount = 3; first = 0x90...0xBF
            case 0xF1...0xF3: continuationCount = 3; first = 0x80...0xBF
            case 0xF4: continuationCount = 3; first = 0x80...0x8F
            default: return nil
            }
        }

        func accepts(_ byte: UInt8, at index: Int) -> Bool {
            index == 0 ? first.contains(byte) : (0x80...0xBF).contains(byte)
        }
    }
}
