import ASCII

/// `application/x-www-form-urlencoded` decoding of one key or value, exactly
/// once: `+` becomes a space, `%XX` (either case) becomes one byte, and every
/// other byte, a `%` that does not start a valid escape included, stays as it is.
public enum PercentDecoding {
    /// Writes the decoded form of `source[range]` at `output[written...]`
    /// and returns the new count written. Decoding never lengthens, so
    /// `output` needs room for `range.count` more bytes.
    static func decode(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                       into output: UnsafeMutableBufferPointer<UInt8>, at written: Int) -> Int {
        var index = range.lowerBound
        var out = written
        let end = range.upperBound
        while index < end {
            let byte = source[index]
            if byte == UInt8(ascii: "+") {
                output[out] = UInt8(ascii: " ")
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < end,
                      let high = HexDigit.value(of: source[index + 1]), let low = HexDigit.value(of: source[index + 2]) {
                output[out] = high << 4 | low
                index += 3
            } else {
                output[out] = byte
                index += 1
            }
            out += 1
        }
        return out
    }

    /// The decoded bytes of one encoded key or value.
    public static func decoded(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: bytes.count) { output, count in
            count = bytes.withUnsafeBufferPointer { decode($0, 0..<$0.count, into: output, at: 0) }
        }
    }
}
