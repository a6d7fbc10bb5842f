extension FormFields {
    /// Parameters that are not part of a notification's signed string.
    static let unsignedKeys: [[UInt8]] = [Array("sign".utf8), Array("sign_type".utf8)]

    /// Parameters that are not part of a gateway request's signed string:
    /// there `sign_type` is signed too.
    static let unsignedRequestKeys: [[UInt8]] = [Array("sign".utf8)]

    /// The bytes Alipay signed: every parameter except `sign` and `sign_type`,
    /// empty values skipped, sorted by key, joined as `k=v` with `&`, in the
    /// body's charset (GBK bytes for a GBK body).
    public var signedContent: [UInt8] {
        joinedForSigning(raw, useRawRanges: true, excluding: Self.unsignedKeys)
    }

    /// The bytes a merchant signs in a request to Alipay's gateway: the same
    /// rules, but only `sign` is left out (`sign_type` is signed).
    public var requestSignedContent: [UInt8] {
        joinedForSigning(raw, useRawRanges: true, excluding: Self.unsignedRequestKeys)
    }

    /// The same string as UTF-8 text, for people: `verify` prints it.
    public var signedContentText: String {
        String(decoding: joinedForSigning(text, useRawRanges: false, excluding: Self.unsignedKeys), as: UTF8.self)
    }

    private func joinedForSigning(_ buffer: [UInt8], useRawRanges: Bool, excluding unsignedKeys: [[UInt8]]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(buffer.count + fields.count * 2)
        for index in sortedOrder {
            let field = fields[index]
            let key = useRawRanges ? field.rawKey : field.key
            let value = useRawRanges ? field.rawValue : field.value
            if value.isEmpty { continue }
            if unsignedKeys.contains(where: { text[field.key].elementsEqual($0) }) { continue }
            if !output.isEmpty { output.append(UInt8(ascii: "&")) }
            output.append(contentsOf: buffer[key])
            output.append(UInt8(ascii: "="))
            output.append(contentsOf: buffer[value])
        }
        return output
    }
}
