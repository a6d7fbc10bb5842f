import ASCII
/// Byte-level JSON reading over the raw answer body, shared by the answer
/// scanner and the node reader. It never builds a document: it finds where
/// strings and values start and end, and decodes a string's escapes when
/// asked, so the node's bytes stay exactly as they came.
struct JSONBytes {
    let bytes: [UInt8]
    var position: Int

    /// Deeper nesting than this is refused rather than followed.
    static let maximumDepth = 64

    init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var isAtEnd: Bool { position >= bytes.count }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func peek() throws(MalformedAnswer) -> UInt8 {
        guard position < bytes.count else { throw .unexpectedEnd }
        return bytes[position]
    }

    /// After an object member: true when another member follows (its comma
    /// is consumed), false when the object closed (its `}` is consumed).
    mutating func anotherMemberFollows() throws(MalformedAnswer) -> Bool {
        skipWhitespace()
        if try peek() == UInt8(ascii: ",") {
            position += 1
            return true
        }
        try expect(UInt8(ascii: "}"))
        return false
    }

    mutating func expect(_ byte: UInt8) throws(MalformedAnswer) {
        let found = try peek()
        guard found == byte else { throw .unexpectedByte(found, offset: position) }
        position += 1
    }

    /// Reads a string starting at its opening quote; returns the range of
    /// its raw content (between the quotes, escapes undecoded). Escapes are
    /// checked; bytes of 0x80 and above pass as they are (their charset is
    /// the decoder's concern, after verification).
    mutating func readString() throws(MalformedAnswer) -> Range<Int> {
        try expect(UInt8(ascii: "\""))
        let start = position
        while true {
            guard position < bytes.count else { throw .unexpectedEnd }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                defer { position += 1 }
                return start..<position
            case UInt8(ascii: "\\"):
                guard position + 1 < bytes.count else { throw .unexpectedEnd }
                switch bytes[position + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 2
                case UInt8(ascii: "u"):
                    guard position + 6 <= bytes.count else { throw .unexpectedEnd }
                    for offset in 2..<6 where HexDigit.value(of: bytes[position + offset]) == nil {
                        throw .badEscape(offset: position)
                    }
                    position += 6
                default:
                    throw .badEscape(offset: position)
                }
            case 0x00..<0x20:
                throw .controlCharacterInString(offset: position)
            default:
                position += 1
            }
        }
    }

    /// Skips one value of any kind (after leading whitespace) and returns
    /// its range.
    mutating func skipValue(depth: Int = 0) throws(MalformedAnswer) -> Range<Int> {
        skipWhitespace()
        let start = position
        switch try peek() {
        case UInt8(ascii: "\""):
            _ = try readString()
        case UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { throw .tooDeep(limit: Self.maximumDepth) }
            position += 1
            skipWhitespace()
            if try peek() == UInt8(ascii: "}") {
                position += 1
                break
            }
            while true {
                skipWhitespace()
                _ = try readString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                _ = try skipValue(depth: depth + 1)
                skipWhitespace()
                if try peek() == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "}"))
                break
            }
        case UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { throw .tooDeep(limit: Self.maximumDepth) }
            position += 1
            skipWhitespace()
            if try peek() == UInt8(ascii: "]") {
                position += 1
                break
            }
            while true {
                _ = try skipValue(depth: depth + 1)
                skipWhitespace()
                if try peek() == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "]"))
                break
            }
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
        case let byte:
            throw .unexpectedByte(byte, offset: position)
        }
        return start..<position
    }

    private mutating func skipLiteral(_ literal: StaticString) throws(MalformedAnswer) {
        let text = literal.utf8Start
        for offset in 0..<literal.utf8CodeUnitCount {
            let found = try peek()
            guard found == text[offset] else { throw .unexpectedByte(found, offset: position) }
            position += 1
        }
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func skipNumber() throws(MalformedAnswer) {
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        if try peek() == UInt8(ascii: "0") {
            position += 1
        } else {
            try skipDigits()
        }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            try skipDigits()
        }
        if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            position += 1
            let sign = try peek()
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { position += 1 }
            try skipDigits()
        }
    }

    private mutating func skipDigits() throws(MalformedAnswer) {
        let start = position
        while position < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
        if position == start {
            let found = try peek()
            throw .unexpectedByte(found, offset: position)
        }
    }

    /// The bytes a string's raw content stands for: escapes decoded (`\u`
    /// as UTF-8, surrogate pairs joined, a lone surrogate as U+FFFD), every
    /// other byte copied as it is. The content must come from `readString`.
    static func decodeString(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let escaped = raw[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hexQuad(raw, at: index)
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= raw.endIndex,
                   raw[index] == UInt8(ascii: "\\"), raw[index + 1] == UInt8(ascii: "u") {
                    let low = hexQuad(raw, at: index + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &output)
            default: output.append(escaped)  // " \ /
            }
        }
        return output
    }

    private static func hexQuad(_ raw: ArraySlice<UInt8>, at index: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | UInt32(HexDigit.value(of: raw[index + offset]) ?? 0) }
        return value
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to output: inout [UInt8]) {
        output.append(contentsOf: UTF8.encode(scalar)!)
    }
}
