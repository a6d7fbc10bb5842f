/// Strict standard base64 (RFC 4648 alphabet with `=` padding), used for the
/// `sign` parameter and for keys given as bare base64.
///
/// Strict means: no whitespace, no URL-safe alphabet, length a multiple of
/// four, padding only at the end. A signature that is not exactly this is
/// not a signature.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    public static func decode<Bytes: Collection>(_ input: Bytes) -> [UInt8]? where Bytes.Element == UInt8 {
        let bytes = Array(input)
        guard !bytes.isEmpty, bytes.count % 4 == 0 else { return nil }
        var padding = 0
        if bytes[bytes.count - 1] == UInt8(ascii: "=") {
            padding = bytes[bytes.count - 2] == UInt8(ascii: "=") ? 2 : 1
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 4 * 3)
        let table = decodeTable
        var index = 0
        while index < bytes.count {
            let isLast = index + 4 == bytes.count
            var quad: UInt32 = 0
            for offset in 0..<4 {
                let byte = bytes[index + offset]
                if isLast && offset >= 4 - padding {
                    quad <<= 6
                    continue
                }
                let value = table[Int(byte)]
                guard value != 0xFF else { return nil }
                quad = quad << 6 | UInt32(value)
            }
            output.append(UInt8(truncatingIfNeeded: quad >> 16))
            if !(isLast && padding == 2) { output.append(UInt8(truncatingIfNeeded: quad >> 8)) }
            if !(isLast && padding >= 1) { output.append(UInt8(truncatingIfNeeded: quad)) }
            index += 4
        }
        return output
    }

    public static func encode<Bytes: Collection>(_ input: Bytes) -> String where Bytes.Element == UInt8 {
        let bytes = Array(input)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            output.append(alphabet[Int(triple >> 18 & 63)])
            output.append(alphabet[Int(triple >> 12 & 63)])
            output.append(remaining > 1 ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            output.append(remaining > 2 ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
