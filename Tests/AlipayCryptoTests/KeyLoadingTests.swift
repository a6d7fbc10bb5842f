import AlipayCrypto
import AlipayNotify
import Testing
import TestSupport

@Suite struct KeyLoadingTests {
    @Test func allThreePublicKeyFormsAreTheSameKey() throws {
        let pem = try RSAPublicKey(bytes: Fixtures.bytes(Fixtures.currentPublicKeyPEM))
        let bare = try RSAPublicKey(bytes: Fixtures.bytes(Fixtures.currentPublicKeyBase64))
        let certificate = try RSAPublicKey(bytes: Fixtures.bytes(Fixtures.currentPublicCertificate))
        #expect(pem.fingerprint == bare.fingerprint)
        #expect(pem.fingerprint == certificate.fingerprint)
        #expect(pem.bits == 2048)
        #expect(pem.format == "PEM")
        #expect(bare.format == "bare base64")
        #expect(certificate.format == "X.509 certificate")
        let next = try RSAPublicKey(bytes: Fixtures.bytes(Fixtures.nextPublicKeyPEM))
        #expect(next.fingerprint != pem.fingerprint)
    }

    @Test func bareBase64WithLineBreaksIsAccepted() throws {
        let text = try String(decoding: Fixtures.bytes(Fixtures.currentPublicKeyBase64), as: UTF8.self)
        var wrapped = ""
        for (index, character) in text.enumerated() {
            if index > 0 && index % 64 == 0 { wrapped += "\n" }
            wrapped.append(character)
        }
        let key = try RSAPublicKey(bytes: Array((wrapped + "\n").utf8))
        #expect(key.fingerprint == (try RSAPublicKey(bytes: Fixtures.bytes(Fixtures.currentPublicKeyPEM))).fingerprint)
    }

    @Test func aPrivateKeyGivenAsThePublicKeyIsExplained() throws {
        let bytes = try Fixtures.bytes(Fixtures.currentPrivateKey)
        let error = #expect(throws: KeyLoadingError.self) { try RSAPublicKey(bytes: bytes) }
        #expect(error?.description.contains("private key") == true)
    }

    @Test(arguments: ["", "   \n", "not a key at all!", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                      "-----BEGIN PUBLIC KEY-----\nMIIB\n", "QUJD"])
    func garbageIsAnErrorNotACrash(_ text: String) {
        #expect(throws: KeyLoadingError.self) { try RSAPublicKey(bytes: Array(text.utf8)) }
    }

    @Test func trailingBytesAfterTheKeyAreRefused() throws {
        let der = try #require(Base64.decode(Fixtures.bytes(Fixtures.currentPublicKeyBase64)))
        #expect(throws: KeyLoadingError.self) { try RSAPublicKey(bytes: Array(Base64.encode(der + [0]).utf8)) }
    }

    @Test func signingWithTheFixturePrivateKeyReproducesAVerifiableSignature() throws {
        let privateKey = try RSAPrivateKey(bytes: Fixtures.bytes(Fixtures.currentPrivateKey))
        let publicKey = try RSAPublicKey(bytes: Fixtures.bytes(Fixtures.currentPublicKeyPEM))
        let message = Array("a=1&b=2".utf8)
        let signature = try privateKey.sign(message)
        #expect(signature.count == 256)
        #expect(RSAVerifier.isValid(signature: signature, of: message, key: publicKey, algorithm: .rsa2))
        #expect(!RSAVerifier.isValid(signature: signature, of: Array("a=1&b=3".utf8), key: publicKey, algorithm: .rsa2))
        #expect(!RSAVerifier.isValid(signature: signature, of: message, key: publicKey, algorithm: .rsa))
        #expect(try privateKey.publicKey().fingerprint == publicKey.fingerprint)
    }
}
