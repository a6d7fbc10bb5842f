import AlipayCrypto
import AlipayNotify

/// The check of a response node's signature: RSA2 over the node's exact
/// bytes, with any of the configured Alipay public keys (several during a
/// key rotation, as for notifications).
///
/// When that fails and the node holds the escape `\/`, it is checked again
/// with each such escape written as `/`: Alipay has signed the unescaped
/// text and sent the escaped one, and its Java SDK retries the same way.
/// Unlike the Java SDK's plain text replacement, only real `\/` escapes
/// inside strings are rewritten (not the `\/` of an escaped backslash
/// followed by `/`), so the text that verifies means exactly what the wire
/// text means.
enum ResponseNodeSignature {
    struct Match {
        /// The bytes the key signed: the node as sent, or with `\/` unescaped.
        let signedContent: [UInt8]
        let keyIndex: Int
    }

    enum Failure: Error {
        case notBase64
        case mismatch
    }

    static func verify(node: ArraySlice<UInt8>, sign: [UInt8], keys: [RSAPublicKey]) -> Result<Match, Failure> {
        guard let signature = Base64.decode(sign) else { return .failure(.notBase64) }
        let exact = Array(node)
        if let index = keys.firstIndex(where: { RSAVerifier.isValid(signature: signature, of: exact, key: $0, algorithm: .rsa2) }) {
            return .success(Match(signedContent: exact, keyIndex: index))
        }
        if let unescaped = unescapingSlashes(exact),
           let index = keys.firstIndex(where: { RSAVerifier.isValid(signature: signature, of: unescaped, key: $0, algorithm: .rsa2) }) {
            return .success(Match(signedContent: unescaped, keyIndex: index))
        }
        return .failure(.mismatch)
    }

    /// The node with every `\/` escape inside a string written as `/`, or
    /// nil when it has none. The node must be valid JSON (scanned).
    static func unescapingSlashes(_ node: [UInt8]) -> [UInt8]? {
        var output: [UInt8] = []
        var changed = false
        var inString = false
        var index = 0
        output.reserveCapacity(node.count)
        while index < node.count {
            let byte = node[index]
            if inString && byte == UInt8(ascii: "\\") && index + 1 < node.count {
                let next = node[index + 1]
                if next == UInt8(ascii: "/") {
                    output.append(next)
                    changed = true
                } else {
                    output.append(byte)
                    output.append(next)
                }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\"") { inString.toggle() }
            output.append(byte)
            index += 1
        }
        return changed ? output : nil
    }
}
