import Foundation

/// The kept inputs of each target, `Tests/FuzzCorpus/<target>/`: seeds
/// (`seed-*`: fixtures and requests captured from real clients) and every
/// input a fuzzer ever broke a property with (`crash-*`, kept as
/// regression tests). Found from this source file, so any working
/// directory and build folder will do.
public enum FuzzCorpus {
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func directory(_ target: FuzzTarget) -> URL {
        packageRoot.appendingPathComponent("Tests/FuzzCorpus/\(target.rawValue)")
    }

    /// Every kept input of a target, by file name.
    public static func inputs(_ target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let directory = directory(target)
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted().map { name in
            (name, Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }
}
