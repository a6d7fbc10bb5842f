@testable import AlipayNotify
import Testing

/// Strict UTF-8 validation agrees with the standard library's validating
/// decoder, on the contiguous (eight bytes at a time) and the generic path.
@Suite struct UTF8ValidationTests {
    @Test(arguments: [
        ([], true), (Array("notify_id=2024&subject=支付宝 🧧".utf8), true),
        ([0xC0, 0xAF], false),              // overlong '/'
        ([0xE0, 0x80, 0xAF], false),        // overlong, three bytes
        ([0xED, 0xA0, 0x80], false),        // a surrogate
        ([0xF4, 0x90, 0x80, 0x80], false),  // above U+10FFFF
        ([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0xE6, 0x94], false),  // truncated after eight ASCII bytes
        ([0xE6, 0x94, 0xAF], true), ([0x80], false), ([0xFF], false),
    ] as [([UInt8], Bool)])
    func knownCases(_ bytes: [UInt8], _ valid: Bool) {
        #expect(UTF8Validation.isValid(bytes) == valid)
        #expect(UTF8Validation.isValid(bytes[...]) == valid)
        #expect(UTF8Validation.isValid(AnySequenceOfBytes(bytes)) == valid)
    }

    @Test func randomBytesAgreeWithTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x41, 0x7F, 0x80, 0xBF, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xA0, 0x9F, 0x90, 0x8F]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator) ? UInt8.random(in: 0x20...0x7E, using: &generator) : alphabet.randomElement(using: &generator)!
            }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(UTF8Validation.isValid(bytes) == expected, "\(bytes)")
            #expect(UTF8Validation.isValid(AnySequenceOfBytes(bytes)) == expected, "\(bytes)")
        }
    }

    /// A collection without contiguous storage: the byte-by-byte path.
    struct AnySequenceOfBytes: Collection {
        let bytes: [UInt8]
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var startIndex: Int { 0 }
        var endIndex: Int { bytes.count }
        func index(after index: Int) -> Int { index + 1 }
        subscript(position: Int) -> UInt8 { bytes[position] }
    }
}
