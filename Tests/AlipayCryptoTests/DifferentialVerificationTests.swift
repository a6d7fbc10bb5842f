import AlipayCrypto
import AlipayNotify
import Foundation
import Testing
import TestSupport

/// The project's verdict on every fixture and on thousands of mutations of
/// them equals the verdict of an independent verifier
/// (`Tests/Differential/independent_verify.py`: Python's form decoding and
/// codecs, and the `cryptography` package), so the canonical rule is not
/// only right on the cases someone thought of.
@Suite struct DifferentialVerificationTests {
    static let mutantsPerFixture = 60

    @Test func verdictsEqualAnIndependentVerifierOnFixturesAndMutations() throws {
        let keyPaths = [Fixtures.currentPublicKeyPEM, Fixtures.nextPublicKeyPEM]
        let verifier = NotificationVerifier(keys: try keyPaths.map { try RSAPublicKey(bytes: Fixtures.bytes($0)) })
        var generator = SeededGenerator(seed: 20_261_123)
        var bodies: [[UInt8]] = []
        for fixture in Fixtures.notifications {
            let body = Array(fixture.body.utf8)
            bodies.append(body)
            for _ in 0..<Self.mutantsPerFixture {
                bodies.append(BodyMutation.allCases.randomElement(using: &generator)!.apply(to: body, using: &generator))
            }
        }

        let input = bodies.map { $0.map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n") + "\n"
        let script = Fixtures.packageRoot.appendingPathComponent("Tests/Differential/independent_verify.py").path
        let result = try ChildProcess.run("/usr/bin/python3", [script] + keyPaths.map(Fixtures.path),
                                          input: Array(input.utf8), timeout: 300)
        try #require(result.status == 0, "the independent verifier failed: \(result.stderr)")
        let theirs = result.stdout.split(separator: "\n").map(String.init)
        try #require(theirs.count == bodies.count)

        var validCount = 0
        var disagreements: [String] = []
        for (body, their) in zip(bodies, theirs) {
            let ours = verifier.verify(body: body)
            let oursValid = if case .success = ours { true } else { false }
            if oursValid { validCount += 1 }
            if oursValid != (their == "valid") {
                disagreements.append("\(String(decoding: body, as: UTF8.self))\n  ours: \(ours)\n  theirs: \(their)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements:\n\(disagreements.prefix(5).joined(separator: "\n"))")
        // The mutations reach both verdicts: many stay authentic (reordered,
        // re-encoded, empty parameters added), most do not.
        #expect(validCount > 33 + Fixtures.notifications.count * Self.mutantsPerFixture / 10)
        #expect(bodies.count - validCount > bodies.count / 3)
    }
}

/// Changes to a raw body that an attacker, a proxy or a sloppy client
/// could make: some keep the signed meaning, most must not verify.
enum BodyMutation: CaseIterable {
    case replaceByte, deleteByte, duplicateParameter, swapParameters, percentEncodeALetter,
         lowercaseEscapes, emptyAParameter, addEmptyParameter, addEmptyPieces, changeSignType,
         dropSignType, brokenEscape, changeCharset, plusForSpace, dropSignPadding, parameterWithoutEquals

    func apply<G: RandomNumberGenerator>(to body: [UInt8], using generator: inout G) -> [UInt8] {
        var pieces = body.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false).map(Array.init)
        func joined() -> [UInt8] { Array(pieces.joined(separator: [UInt8(ascii: "&")])) }
        let index = Int.random(in: 0..<pieces.count, using: &generator)
        switch self {
        case .replaceByte:
            var bytes = body
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0x21...0x7E, using: &generator)
            return bytes
        case .deleteByte:
            var bytes = body
            bytes.remove(at: Int.random(in: 0..<bytes.count, using: &generator))
            return bytes
        case .duplicateParameter:
            pieces.insert(pieces[index], at: Int.random(in: 0...pieces.count, using: &generator))
        case .swapParameters:
            pieces.swapAt(index, Int.random(in: 0..<pieces.count, using: &generator))
        case .percentEncodeALetter:
            if let letter = pieces[index].indices.filter({ isLetter(pieces[index][$0]) }).randomElement(using: &generator) {
                let byte = pieces[index][letter]
                pieces[index].replaceSubrange(letter...letter, with: Array(String(format: "%%%02X", byte).utf8))
            }
        case .lowercaseEscapes:
            pieces[index] = lowercasedEscapes(pieces[index])
        case .emptyAParameter:
            if let equals = pieces[index].firstIndex(of: UInt8(ascii: "=")) { pieces[index].removeSubrange((equals + 1)...) }
        case .addEmptyParameter:
            pieces.insert(Array(["refund_fee=", "zz_extra=", "trade_status=", "sign_type="].randomElement(using: &generator)!.utf8), at: index)
        case .addEmptyPieces:
            pieces.insert([], at: index)
        case .changeSignType:
            pieces.removeAll { $0.starts(with: Array("sign_type=".utf8)) }
            pieces.append(Array(["sign_type=RSA", "sign_type=rsa2", "sign_type=RSA2+", "sign_type=RSA2"].randomElement(using: &generator)!.utf8))
        case .dropSignType:
            pieces.removeAll { $0.starts(with: Array("sign_type=".utf8)) }
        case .brokenEscape:
            pieces[index].append(contentsOf: Array(["%", "%G1", "%4", "%%"].randomElement(using: &generator)!.utf8))
        case .changeCharset:
            pieces.removeAll { $0.starts(with: Array("charset=".utf8)) }
            pieces.append(Array(["charset=UTF-8", "charset=utf8", "charset=gbk", "charset=GB2312", "charset=latin1", "charset="].randomElement(using: &generator)!.utf8))
        case .plusForSpace:
            pieces[index] = replacing(Array("+".utf8), with: Array("%20".utf8), in: pieces[index])
        case .dropSignPadding:
            for position in pieces.indices where pieces[position].starts(with: Array("sign=".utf8)) {
                pieces[position] = replacing(Array("%3D".utf8), with: [], in: pieces[position])
            }
        case .parameterWithoutEquals:
            pieces.insert(Array("lonely".utf8), at: index)
        }
        return joined()
    }

    func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    func lowercasedEscapes(_ piece: [UInt8]) -> [UInt8] {
        var piece = piece
        for position in piece.indices where piece[position] == UInt8(ascii: "%") {
            for hex in (position + 1)..<min(position + 3, piece.count)
            where (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(piece[hex]) {
                piece[hex] += 32
            }
        }
        return piece
    }

    func replacing(_ old: [UInt8], with new: [UInt8], in piece: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var position = 0
        while position < piece.count {
            if piece[position...].starts(with: old) {
                output += new
                position += old.count
            } else {
                output.append(piece[position])
                position += 1
            }
        }
        return output
    }
}
