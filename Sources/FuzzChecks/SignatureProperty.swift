import AlipayCrypto
import AlipayNotify
import Foundation

/// The verifier holds both fixture Alipay keys; the only bytes those keys
/// ever signed are the canonical strings of the fixtures: the valid ones,
/// and those the invalid ones were made from (a duplicated key appended to a
/// signed body: without that one parameter it verifies). So whatever
/// body it accepts must have one of those canonical strings (RSA is not
/// forged by a fuzzer: an acceptance of anything else is a bug in the
/// canonical rule or the verifier), must be RSA2, and must read as the very
/// notification that was signed: every field the daemon acts on is covered
/// by the signature, whatever was added, reordered or re-encoded around it.
struct SignatureProperty: FuzzProperty {
    let verifier: NotificationVerifier
    /// Signed canonical bytes → the notification they carry (or why none).
    let signed: [[UInt8]: String]

    /// `extraKeys` (public key files) are trusted too, without their
    /// signatures counting as Alipay's: how a test shows the property
    /// catches a verifier that trusts too much.
    init(extraKeys: [URL] = []) throws {
        let fixtures = FuzzCorpus.packageRoot.appendingPathComponent("Tests/Fixtures")
        let files = ["alipay_public_key.pem", "alipay_public_key_next.pem"].map { fixtures.appendingPathComponent("keys/\($0)") }
        let keys = try (files + extraKeys).map { try RSAPublicKey(bytes: Array(Data(contentsOf: $0))) }
        verifier = NotificationVerifier(keys: keys)
        var signed: [[UInt8]: String] = [:]
        let lines = try String(contentsOf: fixtures.appendingPathComponent("notifications.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        for line in lines {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let body = object["body"] as? String else { continue }
            if object["expect"] as? String == "valid" {
                guard case .success(let verified) = verifier.verify(body: Array(body.utf8)) else {
                    throw PropertyViolation("the valid fixture \(object["name"] ?? "?") does not verify")
                }
                signed[verified.fields.signedContent] = Self.meaning(of: verified.fields)
            } else {
                // A body one parameter away from a signed one (a duplicate added).
                let pieces = body.split(separator: "&", omittingEmptySubsequences: false)
                for index in pieces.indices {
                    let shorter = (pieces[..<index] + pieces[(index + 1)...]).joined(separator: "&")
                    if case .success(let verified) = verifier.verify(body: Array(shorter.utf8)) {
                        signed[verified.fields.signedContent] = Self.meaning(of: verified.fields)
                    }
                }
            }
        }
        self.signed = signed
    }

    func check(_ input: [UInt8]) throws(PropertyViolation) {
        guard case .success(let verified) = verifier.verify(body: input) else { return }
        let content = verified.fields.signedContent
        guard let meaning = signed[content] else {
            throw PropertyViolation("accepted a canonical string no key signed: \(verified.fields.signedContentText.debugDescription)")
        }
        guard verified.algorithm == .rsa2 else {
            throw PropertyViolation("accepted \(verified.algorithm) with legacy RSA off")
        }
        let read = Self.meaning(of: verified.fields)
        guard read == meaning else {
            throw PropertyViolation("the signed bytes are the same but the body reads differently: signed \(meaning), read \(read)")
        }
    }

    /// The notification the daemon would act on, as comparable text.
    static func meaning(of fields: FormFields) -> String {
        do {
            return String(describing: try Notification(fields: fields))
        } catch {
            return "not a notification: \(error.code)"
        }
    }
}
