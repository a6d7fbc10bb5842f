import COpenSSL

/// Alipay's `sign_type` values: `RSA2` is SHA256withRSA, the legacy `RSA` is
/// SHA1withRSA (accepted only when an operator enables it).
public enum SignatureAlgorithm: String, Sendable, CaseIterable {
    case rsa2 = "RSA2"
    case rsa = "RSA"

    /// The digest, fetched once per process (an implicit fetch per call costs
    /// a lock and a lookup inside OpenSSL).
    var digest: OpaquePointer {
        switch self {
        case .rsa2: return FetchedDigests.shared.sha256
        case .rsa: return FetchedDigests.shared.sha1
        }
    }
}

/// The EVP_MD objects, fetched once. They are immutable and reference
/// counted by OpenSSL, so sharing them between threads is safe.
final class FetchedDigests: @unchecked Sendable {
    static let shared = FetchedDigests()
    let sha256: OpaquePointer
    let sha1: OpaquePointer

    private init() {
        guard let sha256 = EVP_MD_fetch(nil, "SHA256", nil), let sha1 = EVP_MD_fetch(nil, "SHA1", nil) else {
            fatalError("OpenSSL has no SHA256/SHA1 digest: \(OpenSSLError("EVP_MD_fetch"))")
        }
        self.sha256 = sha256
        self.sha1 = sha1
    }
}
