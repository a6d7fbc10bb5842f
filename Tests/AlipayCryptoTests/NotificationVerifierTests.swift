import AlipayCrypto
import Foundation
import AlipayNotify
import Testing
import TestSupport

@Suite struct NotificationVerifierTests {
    static func key(_ path: String) throws -> RSAPublicKey {
        try RSAPublicKey(bytes: Fixtures.bytes(path))
    }

    static func verdict(_ fixture: Fixtures.NotificationCase, keys: [RSAPublicKey]) -> Bool {
        if case .success = NotificationVerifier(keys: keys).verify(body: Array(fixture.body.utf8)) { return true }
        return false
    }

    @Test(arguments: Fixtures.notifications)
    func currentKeyAloneGivesTheExpectedVerdict(_ fixture: Fixtures.NotificationCase) throws {
        let expected = fixture.isValid && fixture.key == "current"
        #expect(Self.verdict(fixture, keys: [try Self.key(Fixtures.currentPublicKeyPEM)]) == expected)
    }

    @Test(arguments: Fixtures.notifications)
    func bothKeysDuringRotationAcceptExactlyTheValidCases(_ fixture: Fixtures.NotificationCase) throws {
        let keys = [try Self.key(Fixtures.currentPublicKeyPEM), try Self.key(Fixtures.nextPublicKeyPEM)]
        #expect(Self.verdict(fixture, keys: keys) == fixture.isValid)
    }

    @Test(arguments: Fixtures.notifications)
    func bareBase64AndCertificateFormsGiveTheSameVerdicts(_ fixture: Fixtures.NotificationCase) throws {
        let expected = fixture.isValid && fixture.key == "current"
        #expect(Self.verdict(fixture, keys: [try Self.key(Fixtures.currentPublicKeyBase64)]) == expected)
        #expect(Self.verdict(fixture, keys: [try Self.key(Fixtures.currentPublicCertificate)]) == expected)
    }

    @Test func nextKeyAloneRejectsWhatTheCurrentKeySigned() throws {
        let fixture = try #require(Fixtures.notifications.first { $0.name == "trade_success_plain" })
        #expect(!Self.verdict(fixture, keys: [try Self.key(Fixtures.nextPublicKeyBase64)]))
    }

    @Test func legacyRSAIsRefusedByDefaultAndAcceptedOnlyWhenEnabled() throws {
        let fixture = try #require(Fixtures.notifications.first { $0.name == "sign_type_RSA_sha1" })
        let key = try Self.key(Fixtures.currentPublicKeyPEM)
        let strict = NotificationVerifier(keys: [key]).verify(body: Array(fixture.body.utf8))
        guard case .failure(.signTypeNotAccepted("RSA", legacyEnabled: false)) = strict else {
            Issue.record("expected sign_type refusal, got \(strict)")
            return
        }
        let legacy = NotificationVerifier(keys: [key], allowsLegacyRSA: true).verify(body: Array(fixture.body.utf8))
        guard case .success(let verified) = legacy else {
            Issue.record("legacy RSA enabled should verify the SHA-1 fixture, got \(legacy)")
            return
        }
        #expect(verified.algorithm == .rsa)
    }

    @Test func aSHA1SignatureDoesNotPassAsRSA2() throws {
        // The SHA-1 fixture relabelled as RSA2: the signature must not verify.
        let fixture = try #require(Fixtures.notifications.first { $0.name == "sign_type_RSA_sha1" })
        let relabelled = fixture.body.replacingOccurrences(of: "sign_type=RSA&", with: "sign_type=RSA2&")
        #expect(relabelled != fixture.body)
        let result = NotificationVerifier(keys: [try Self.key(Fixtures.currentPublicKeyPEM)], allowsLegacyRSA: true)
            .verify(body: Array(relabelled.utf8))
        guard case .failure(.signatureMismatch) = result else {
            Issue.record("expected a mismatch, got \(result)")
            return
        }
    }

    @Test func failureCodesNameTheReason() throws {
        let key = try Self.key(Fixtures.currentPublicKeyPEM)
        let verifier = NotificationVerifier(keys: [key])
        func code(_ name: String) throws -> String? {
            let fixture = try #require(Fixtures.notifications.first { $0.name == name })
            if case .failure(let failure) = verifier.verify(body: Array(fixture.body.utf8)) { return failure.code }
            return nil
        }
        #expect(try code("sign_missing") == "sign_missing")
        #expect(try code("sign_empty") == "sign_missing")
        #expect(try code("sign_not_base64") == "sign_not_base64")
        #expect(try code("tampered_total_amount") == "bad_signature")
        #expect(try code("duplicate_out_trade_no_signed_first") == "bad_form")
    }
}

@Suite struct VerifierThreadingTests {
    /// Per-thread OpenSSL contexts: many threads, two keys taking turns, and
    /// keys released and re-created (as a reload does) must never mix up.
    @Test func verdictsStayCorrectAcrossThreadsAndReplacedKeys() throws {
        let valid = try #require(Fixtures.notifications.first { $0.name == "trade_success_plain" })
        let forged = try #require(Fixtures.notifications.first { $0.name == "signed_with_unrelated_key" })
        let nextSigned = try #require(Fixtures.notifications.first { $0.name == "signed_by_next_key" })
        let currentBytes = try Fixtures.bytes(Fixtures.currentPublicKeyPEM)
        let nextBytes = try Fixtures.bytes(Fixtures.nextPublicKeyPEM)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<40 {
                // A fresh key object every round: released ones must not be reused by mistake.
                guard let current = try? RSAPublicKey(bytes: currentBytes), let next = try? RSAPublicKey(bytes: nextBytes) else {
                    failures.add("key load")
                    return
                }
                let keys = (thread + round) % 2 == 0 ? [current] : [next]
                let verifier = NotificationVerifier(keys: keys)
                let expectValid = keys[0] === current
                if case .success = verifier.verify(body: Array(valid.body.utf8)), !expectValid { failures.add("current-signed accepted by next key") }
                if case .failure = verifier.verify(body: Array(valid.body.utf8)), expectValid { failures.add("current-signed refused by current key") }
                if case .success = verifier.verify(body: Array(nextSigned.body.utf8)), expectValid { failures.add("next-signed accepted by current key") }
                if case .success = verifier.verify(body: Array(forged.body.utf8)) { failures.add("forgery accepted") }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all.prefix(5))")
    }

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ item: String) { lock.withLock { items.append(item) } }
        var all: [String] { lock.withLock { items } }
    }
}
