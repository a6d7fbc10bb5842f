/// The `$n` parameters of a statement's text, found and rewritten in one
/// place: SQLite's `?n` spelling (`SQLDialect`) and the renumbered rows of a
/// multi-row statement (`SetBasedRecorder`).
enum SQLParameters {
    /// The largest `n` of the `$n` parameters in `text` (0 without one).
    static func highest(in text: String) -> Int {
        var highest = 0
        _ = rewrite(text) { number in
            highest = max(highest, number)
            return "$\(number)"
        }
        return highest
    }

    /// `text` with every `$n` written as `replacement(n)`.
    static func rewrite(_ text: String, _ replacement: (Int) -> String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "$"), let (number, end) = number(in: bytes, from: index + 1) {
                out.append(contentsOf: replacement(number).utf8)
                index = end
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The decimal number starting at `start`, and where it ends; nil without a digit.
    private static func number(in bytes: [UInt8], from start: Int) -> (Int, Int)? {
        var end = start
        var number = 0
        while end < bytes.count, bytes[end] >= UInt8(ascii: "0"), bytes[end] <= UInt8(ascii: "9") {
            number = number * 10 + Int(bytes[end] - UInt8(ascii: "0"))
            end += 1
        }
        return end > start ? (number, end) : nil
    }
}
