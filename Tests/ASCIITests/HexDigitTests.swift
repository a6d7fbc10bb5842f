import ASCII
import Testing

@Suite struct HexDigitTests {
    @Test func readsEveryDigitInEitherCase() {
        let digits = Array("0123456789abcdef".utf8)
        for (value, digit) in digits.enumerated() {
            #expect(HexDigit.value(of: digit) == UInt8(value))
            #expect(HexDigit.value(of: Array(String(UnicodeScalar(digit)).uppercased().utf8)[0]) == UInt8(value))
        }
    }

    @Test func doesNotReadAnyOtherByteAsADigit() {
        let digits = Set("0123456789abcdefABCDEF".utf8)
        for byte in UInt8.min...UInt8.max where !digits.contains(byte) {
            #expect(HexDigit.value(of: byte) == nil, "byte \(byte)")
        }
    }
}
