import AlipayNotify
import Testing

@Suite struct Base64Tests {
    @Test(arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar"])
    func roundTrips(_ text: String) {
        let encoded = Base64.encode(Array(text.utf8))
        if text.isEmpty {
            #expect(Base64.decode(Array(encoded.utf8)) == nil) // an empty signature is no signature
        } else {
            #expect(Base64.decode(Array(encoded.utf8)) == Array(text.utf8))
        }
    }

    @Test(arguments: ["Zm9v YmFy", "Zm9vYmFy\n", "Zm9-YmFy", "Zm9_YmFy", "Zm9vYmE", "Zm=vYmFy", "Zg=", "====", "Zm9vYg==="])
    func rejectsAnythingButStrictStandardBase64(_ text: String) {
        #expect(Base64.decode(Array(text.utf8)) == nil)
    }
}
