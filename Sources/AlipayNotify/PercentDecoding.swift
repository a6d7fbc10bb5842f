import ASCII

/// `application/x-www-form-urlencoded` decoding of one key or value, exactly
/// once: `+` becomes a space, `%XX` (either case) becomes one byte, and every
/// other byte, a `%` that does not start a valid escape included, stays as it is.
public enum PercentDecoding {
    /// Appends the decoded form of `source[range]` to `output`.
    static func decode(_ source: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into output: inout [UInt8]) {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            let byte = source[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < end,
                      let high = HexDigit.value(of: source[index + 1]), let low = HexDigit.value(of: source[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
    }

    /// The decoded bytes of one encoded key or value.
    public static func decoded(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        bytes.withUnsafeBufferPointer { decode($0, 0..<$0.count, into: &output) }
        return output
    }
}
