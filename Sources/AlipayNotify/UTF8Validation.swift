/// Strict UTF-8 validation on bytes, without building a `String`.
///
/// Rejects overlong forms, surrogates, code points above U+10FFFF and
/// truncated sequences, as RFC 3629 requires.
public enum UTF8Validation {
    public static func isValid<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var iterator = bytes.makeIterator()
        while let lead = iterator.next() {
            if lead < 0x80 { continue }
            let continuationCount: Int
            var lowerBound: UInt8 = 0x80
            var upperBound: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: continuationCount = 1
            case 0xE0: continuationCount = 2; lowerBound = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: continuationCount = 2
            case 0xED: continuationCount = 2; upperBound = 0x9F
            case 0xF0: continuationCount = 3; lowerBound = 0x90
            case 0xF1...0xF3: continuationCount = 3
            case 0xF4: continuationCount = 3; upperBound = 0x8F
            default: return false
            }
            for index in 0..<continuationCount {
                guard let byte = iterator.next() else { return false }
                if index == 0 {
                    guard byte >= lowerBound && byte <= upperBound else { return false }
                } else {
                    guard byte >= 0x80 && byte <= 0xBF else { return false }
                }
            }
        }
        return true
    }
}
