import COpenSSL
import Foundation

/// Whether an Alipay certificate may be believed: it chains to the
/// configured root certificates (`alipay-root-cert`) and is within its
/// validity now. A certificate fetched from the gateway is not signed by
/// the answer that brought it, so only this check makes it trustworthy.
public enum CertificateTrust {
    /// A certificate that passed: its SN and its public key.
    public struct Trusted: Sendable {
        public let sn: String
        public let key: RSAPublicKey
    }

    /// Checks the first certificate of `certificate` (PEM) against every
    /// certificate of `rootChain` (PEM), at `time`.
    public static func check(_ certificate: [UInt8], rootChain: [UInt8], at time: Date = Date()) throws(CertificateTrustError) -> Trusted {
        let leaves: [OpaquePointer]
        let roots: [OpaquePointer]
        do {
            leaves = try CertificateSN.readCertificates(certificate)
            roots = try CertificateSN.readCertificates(rootChain)
        } catch {
            throw .unreadable("\(error)")
        }
        defer {
            leaves.forEach { X509_free($0) }
            roots.forEach { X509_free($0) }
        }
        guard let store = X509_STORE_new() else { throw .unreadable("cannot make a certificate store: \(OpenSSLError("X509_STORE_new"))") }
        defer { X509_STORE_free(store) }
        for root in roots where X509_STORE_add_cert(store, root) != 1 {
            OpenSSLError.drainQueue()
        }
        guard let context = X509_STORE_CTX_new() else { throw .unreadable("cannot make a verification context") }
        defer { X509_STORE_CTX_free(context) }
        guard X509_STORE_CTX_init(context, store, leaves[0], nil) == 1 else {
            throw .unreadable("cannot start verifying: \(OpenSSLError("X509_STORE_CTX_init"))")
        }
        X509_STORE_CTX_set_time(context, 0, time_t(time.timeIntervalSince1970))
        guard X509_verify_cert(context) == 1 else {
            let code = X509_STORE_CTX_get_error(context)
            OpenSSLError.drainQueue()
            let reason = X509_verify_cert_error_string(Int(code)).map { String(cString: $0) } ?? "error \(code)"
            throw .untrusted(reason)
        }
        let sn: String
        do {
            sn = try CertificateSN.sn(of: leaves[0])
        } catch {
            throw .unreadable("\(error)")
        }
        do {
            return Trusted(sn: sn, key: try RSAPublicKey(bytes: certificate))
        } catch {
            throw .unreadable("its public key: \(error)")
        }
    }
}

/// Why a certificate is not believed.
public enum CertificateTrustError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a certificate that can be read (or no root to check it with).
    case unreadable(String)
    /// It does not chain to the roots, or is outside its validity (OpenSSL's words).
    case untrusted(String)

    public var description: String {
        switch self {
        case .unreadable(let detail): return "cannot be read: \(detail)"
        case .untrusted(let reason): return "is not trusted: \(reason) (it must chain to alipay-root-cert and be within its validity)"
        }
    }
}
