/// A rule that must hold for every input anyone could send: the fuzzers
/// (`notifyd-fuzz`, built by `scripts/fuzz.sh`) search for an input that
/// breaks one, and the regression tests replay every input kept in
/// `Tests/FuzzCorpus`. A crash inside the code under test breaks the rule
/// as surely as a thrown violation.
public protocol FuzzProperty: Sendable {
    func check(_ input: [UInt8]) throws(PropertyViolation)
}

/// What a property found wrong with an input, in words.
public struct PropertyViolation: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
