import AlipayNotify
import COpenSSL

/// The certificate serial numbers of Alipay's certificate mode: what a
/// request sends as `app_cert_sn` and `alipay_root_cert_sn`, and what an
/// answer's `alipay_cert_sn` names.
///
/// A certificate's SN is the MD5 hex of its issuer DN followed by its serial
/// number in decimal. The DN is written as Alipay's SDKs write it: the
/// components in reverse order, `short name=value` joined with `,`
/// (`CN=…,OU=…,O=…,C=…`), without escaping (Alipay's issuer names hold no
/// character that would need it).
public enum CertificateSN {
    /// The SN of the first certificate in `bytes` (PEM, or DER as bare base64).
    public static func of(certificate bytes: [UInt8]) throws(CertificateSNError) -> String {
        let certificates = try readCertificates(bytes)
        defer { certificates.forEach { X509_free($0) } }
        return try sn(of: certificates[0])
    }

    /// The root SN: the SNs of the chain's certificates signed with
    /// sha1WithRSAEncryption or sha256WithRSAEncryption, joined with `_`
    /// (Alipay's root file also holds certificates signed otherwise, e.g.
    /// SM2, which are left out).
    public static func ofRootChain(_ bytes: [UInt8]) throws(CertificateSNError) -> String {
        let certificates = try readCertificates(bytes)
        defer { certificates.forEach { X509_free($0) } }
        var sns: [String] = []
        for certificate in certificates {
            let nid = X509_get_signature_nid(certificate)
            guard nid == NID_sha1WithRSAEncryption || nid == NID_sha256WithRSAEncryption else { continue }
            sns.append(try sn(of: certificate))
        }
        guard !sns.isEmpty else { throw .noRSACertificateInChain(count: certificates.count) }
        return sns.joined(separator: "_")
    }

    /// `CN=…,OU=…,O=…,C=…` of a certificate's issuer.
    static func issuerText(of certificate: OpaquePointer) throws(CertificateSNError) -> String {
        guard let name = X509_get_issuer_name(certificate) else { throw .unreadable("the issuer name") }
        var components: [String] = []
        for index in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, index),
                  let object = X509_NAME_ENTRY_get_object(entry),
                  let data = X509_NAME_ENTRY_get_data(entry) else { throw .unreadable("an issuer name component") }
            let nid = OBJ_obj2nid(object)
            let type: String
            if nid != NID_undef, let shortName = OBJ_nid2sn(nid) {
                type = String(cString: shortName)
            } else {
                var buffer = [CChar](repeating: 0, count: 128)
                let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
                guard length > 0 else { throw .unreadable("an issuer attribute type") }
                type = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            var utf8: UnsafeMutablePointer<UInt8>? = nil
            let length = ASN1_STRING_to_UTF8(&utf8, data)
            guard length >= 0, let utf8 else { throw .unreadable("the issuer's \(type) value") }
            defer { CRYPTO_free(utf8, #fileID, #line) }
            let value = String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self)
            components.append("\(type)=\(value)")
        }
        return components.reversed().joined(separator: ",")
    }

    /// The serial number in decimal.
    static func serialText(of certificate: OpaquePointer) throws(CertificateSNError) -> String {
        guard let serial = X509_get0_serialNumber(certificate), let number = ASN1_INTEGER_to_BN(serial, nil) else {
            OpenSSLError.drainQueue()
            throw .unreadable("the serial number")
        }
        defer { BN_free(number) }
        guard let decimal = BN_bn2dec(number) else { throw .unreadable("the serial number") }
        defer { CRYPTO_free(decimal, #fileID, #line) }
        return String(cString: decimal)
    }

    static func sn(of certificate: OpaquePointer) throws(CertificateSNError) -> String {
        let text = try issuerText(of: certificate) + serialText(of: certificate)
        var digest = [UInt8](repeating: 0, count: 16)
        var digestLength: UInt32 = 0
        let bytes = Array(text.utf8)
        guard let md5 = EVP_MD_fetch(nil, "MD5", nil) else {
            throw .unreadable("MD5 is not available: \(OpenSSLError("EVP_MD_fetch"))")
        }
        defer { EVP_MD_free(md5) }
        guard EVP_Digest(bytes, bytes.count, &digest, &digestLength, md5, nil) == 1 else {
            throw .unreadable("MD5 failed: \(OpenSSLError("EVP_Digest"))")
        }
        return digest.prefix(Int(digestLength)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Every certificate in a PEM file (in order), or the one certificate
    /// of a DER given as bare base64. The caller frees them.
    static func readCertificates(_ bytes: [UInt8]) throws(CertificateSNError) -> [OpaquePointer] {
        let pemMarker = Array("-----BEGIN ".utf8)
        let isPEM = bytes.indices.contains { bytes[$0...].starts(with: pemMarker) }
        if !isPEM {
            let material: KeyMaterial
            do { material = try KeyMaterial.parse(bytes) } catch { throw .notACertificate(error.description) }
            guard let certificate = RSAPublicKey.decodeDER(material.der, { cursor, count in d2i_X509(nil, cursor, count) }) else {
                OpenSSLError.drainQueue()
                throw .notACertificate("the base64 does not decode to an X.509 certificate")
            }
            return [certificate]
        }
        var certificates: [OpaquePointer] = []
        bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return }
            defer { BIO_free(bio) }
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
                certificates.append(certificate)
            }
        }
        // The reader ends every file with a "no start line" error.
        OpenSSLError.drainQueue()
        guard !certificates.isEmpty else { throw .notACertificate("the file holds no PEM CERTIFICATE block") }
        return certificates
    }
}

/// Why a certificate's SN could not be computed, for the operator who
/// configured the certificate files.
public enum CertificateSNError: Error, Sendable, Equatable, CustomStringConvertible {
    case notACertificate(String)
    case unreadable(String)
    case noRSACertificateInChain(count: Int)

    public var description: String {
        switch self {
        case .notACertificate(let detail):
            return "not an X.509 certificate: \(detail)"
        case .unreadable(let what):
            return "cannot read \(what) of the certificate"
        case .noRSACertificateInChain(let count):
            return "none of the \(count) certificates in the root chain is signed with sha1WithRSAEncryption or sha256WithRSAEncryption; is this Alipay's root certificate file (alipayRootCert.crt)?"
        }
    }
}
