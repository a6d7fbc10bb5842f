import AlipayNotify

/// Whatever body the form decoder accepts, its parameters encoded again in
/// the body's own charset must decode to the same parameters, the same
/// charset and the same signed bytes: decoding is exact (no trimming, no
/// lossy charset fallback, one decoding pass), so nothing a signer saw can
/// differ from what the daemon reads. Bodies it refuses are refused with
/// an error, never a crash.
struct FormRoundTripProperty: FuzzProperty {
    func check(_ input: [UInt8]) throws(PropertyViolation) {
        guard let fields = try? FormFields(body: input) else { return }
        let pairs = fields.pairs
        var reencoded: [UInt8] = []
        for (index, pair) in pairs.enumerated() {
            guard let key = fields.charset.encode(utf8: Array(pair.key.utf8)),
                  let value = fields.charset.encode(utf8: Array(pair.value.utf8)) else {
                throw PropertyViolation("parameter \(pair.key.debugDescription) decoded from \(fields.charset) does not encode back to it")
            }
            if index > 0 { reencoded.append(UInt8(ascii: "&")) }
            FormEncoding.encode(key, into: &reencoded)
            reencoded.append(UInt8(ascii: "="))
            FormEncoding.encode(value, into: &reencoded)
        }
        let again: FormFields
        do {
            again = try FormFields(body: reencoded)
        } catch {
            throw PropertyViolation("re-encoded body refused (\(error)): \(String(decoding: reencoded, as: UTF8.self))")
        }
        guard again.charset == fields.charset else {
            throw PropertyViolation("charset \(fields.charset) became \(again.charset)")
        }
        guard again.pairs.elementsEqual(pairs, by: { $0.key == $1.key && $0.value == $1.value }) else {
            throw PropertyViolation("parameters changed: \(pairs) became \(again.pairs)")
        }
        guard again.signedContent == fields.signedContent else {
            throw PropertyViolation("signed content changed: \(fields.signedContentText.debugDescription) became \(again.signedContentText.debugDescription)")
        }
        guard pairs.allSatisfy({ !$0.key.isEmpty }), Set(pairs.map(\.key)).count == pairs.count else {
            throw PropertyViolation("an empty or repeated parameter name was accepted: \(pairs.map(\.key))")
        }
    }
}
