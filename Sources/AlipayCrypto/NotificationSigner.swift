import AlipayNotify

/// Signs notification bodies the way Alipay does, for the `sign` tool, the
/// replay script, the benchmark corpus and the tests. The daemon never signs.
public struct NotificationSigner: Sendable {
    public let key: RSAPrivateKey
    public let algorithm: SignatureAlgorithm

    public init(key: RSAPrivateKey, algorithm: SignatureAlgorithm = .rsa2) {
        self.key = key
        self.algorithm = algorithm
    }

    /// Re-signs a form body. Every parameter keeps its exact encoding, except
    /// those named in `overrides`, which are replaced (or added) with the
    /// given text values; any old `sign` and `sign_type` are dropped, and
    /// `sign_type` and `sign` are appended.
    public func sign(body: [UInt8], overrides: [(key: String, value: String)] = []) throws -> [UInt8] {
        let original = try FormFields(body: body)
        let replaced = Set(overrides.map(\.key) + ["sign", "sign_type"])
        var output: [UInt8] = []
        for piece in body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let keyPart = piece.prefix { $0 != UInt8(ascii: "=") }
            let decodedKey = original.charset.utf8(from: PercentDecoding.decoded(Array(keyPart))) ?? []
            if replaced.contains(String(decoding: decodedKey, as: UTF8.self)) { continue }
            if !output.isEmpty { output.append(UInt8(ascii: "&")) }
            output.append(contentsOf: piece)
        }
        for (key, value) in overrides {
            try append(key: key, value: value, charset: original.charset, to: &output)
        }
        return try appendSignature(to: output)
    }

    /// Builds and signs a body from text parameters (in order). The body's
    /// charset is the `charset` parameter's, UTF-8 when there is none.
    public func sign(pairs: [(key: String, value: String)]) throws -> [UInt8] {
        let charset = pairs.first { $0.key == "charset" }.flatMap { Charset(declared: Array($0.value.utf8)) } ?? .utf8
        var output: [UInt8] = []
        for (key, value) in pairs where key != "sign" && key != "sign_type" {
            try append(key: key, value: value, charset: charset, to: &output)
        }
        return try appendSignature(to: output)
    }

    private func append(key: String, value: String, charset: Charset, to output: inout [UInt8]) throws {
        guard let keyBytes = charset.encode(utf8: Array(key.utf8)), let valueBytes = charset.encode(utf8: Array(value.utf8)) else {
            throw SigningError.notEncodable(key, charset)
        }
        if !output.isEmpty { output.append(UInt8(ascii: "&")) }
        FormEncoding.encode(keyBytes, into: &output)
        output.append(UInt8(ascii: "="))
        FormEncoding.encode(valueBytes, into: &output)
    }

    private func appendSignature(to unsigned: [UInt8]) throws -> [UInt8] {
        let fields = try FormFields(body: unsigned)
        let signature = try key.sign(fields.signedContent, algorithm: algorithm)
        var output = unsigned
        if !output.isEmpty { output.append(UInt8(ascii: "&")) }
        output.append(contentsOf: "sign_type=\(algorithm.rawValue)&sign=".utf8)
        FormEncoding.encode(Array(Base64.encode(signature).utf8), into: &output)
        return output
    }
}

/// A parameter the chosen charset cannot represent.
public enum SigningError: Error, CustomStringConvertible {
    case notEncodable(String, Charset)

    public var description: String {
        switch self {
        case .notEncodable(let key, let charset): return "parameter '\(key)' has text that \(charset.rawValue) cannot encode"
        }
    }
}
