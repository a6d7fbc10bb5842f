import AlipayNotify
import Testing

@Suite struct FenTests {
    @Test(arguments: [
        ("88.88", 8888), ("100", 10000), ("100.5", 10050), ("0.01", 1), ("0.00", 0),
        ("99999999.99", 9_999_999_999), ("007.10", 710),
    ] as [(String, Int64)])
    func parsesDecimalAmountsExactly(text: String, fen: Int64) {
        #expect(Fen(decimal: text) == Fen(fen))
    }

    @Test(arguments: ["", ".", "1.", ".5", "1.234", "-1.00", "+1.00", " 1.00", "1.00 ", "1e3", "1,00",
                      "1..0", "0x10", "１.00", "1000000000000.00", "NaN"])
    func rejectsMalformedAmounts(text: String) {
        #expect(Fen(decimal: text) == nil)
    }

    @Test func formatsWithTwoFractionDigits() {
        #expect(Fen(8888).description == "88.88")
        #expect(Fen(1).description == "0.01")
        #expect(Fen(10050).description == "100.50")
        #expect(Fen(-250).description == "-2.50")
    }

    @Test func doesNotConfuseAmountsThatFloatingPointWouldMerge() {
        // 0.1 + 0.2 != 0.3 in binary floating point; in fen it is exact.
        #expect(Fen(decimal: "0.10")! + Fen(decimal: "0.20")! == Fen(decimal: "0.30")!)
        #expect(Fen(decimal: "9007199254740.99") == nil) // beyond the digit limit, refused rather than rounded
    }
}
