import AlipayCrypto
import AlipayNotify

extension GatewayRequest {
    /// The `application/x-www-form-urlencoded` body to POST to the gateway,
    /// signed with the app's private key (SHA256withRSA).
    ///
    /// The signed text is `FormFields.requestSignedContent` of the unsigned
    /// body, the very rule the gateway checks (every parameter but `sign`,
    /// `sign_type` included, empty values skipped, keys in byte order, raw
    /// values), read back from the bytes that are sent: what is signed is
    /// what goes over the wire.
    public func signedBody(app: MerchantApp, timestamp: GatewayTimestamp) throws -> [UInt8] {
        var body: [UInt8] = []
        for (key, value) in unsignedParameters(app: app, timestamp: timestamp) {
            if !body.isEmpty { body.append(UInt8(ascii: "&")) }
            FormEncoding.encode(key.utf8, into: &body)
            body.append(UInt8(ascii: "="))
            FormEncoding.encode(value.utf8, into: &body)
        }
        let content = try FormFields(body: body).requestSignedContent
        let signature = try app.privateKey.sign(content, algorithm: .rsa2)
        body.append(contentsOf: "&sign=".utf8)
        FormEncoding.encode(Base64.encode(signature).utf8, into: &body)
        return body
    }
}
