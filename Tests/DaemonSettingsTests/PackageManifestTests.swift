import Foundation
import Testing
import TestSupport

/// Every target declares, in Package.swift, each of the project's modules
/// and products it imports: a module that builds only because something
/// else pulled its dependency in breaks when that something changes.
@Suite struct PackageManifestTests {
    /// Each target's name, its folder, and the names in its `dependencies`.
    struct Target {
        let name: String
        let path: String
        let dependencies: Set<String>
    }

    static func targets() throws -> [Target] {
        let manifest = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        var found: [Target] = []
        let declaration = /\.(target|executableTarget|testTarget|systemLibrary)\(\s*name:\s*"([^"]+)"/
        for match in manifest.matches(of: declaration) {
            let kind = String(match.1), name = String(match.2)
            // The declaration runs to the next one; its dependencies and path are inside it.
            let rest = manifest[match.range.upperBound...]
            let end = rest.firstMatch(of: declaration)?.range.lowerBound ?? rest.endIndex
            let body = rest[..<end]
            var dependencies = Set<String>()
            if let list = body.firstMatch(of: /dependencies:\s*\[(.*?)\]\s*(,\s*path|\)|,\s*\n)/.dotMatchesNewlines()) {
                for quoted in list.1.matches(of: /"([^"]+)"/) { dependencies.insert(String(quoted.1)) }
            }
            let path = body.firstMatch(of: /path:\s*"([^"]+)"/).map { String($0.1) }
                ?? (kind == "testTarget" ? "Tests/\(name)" : "Sources/\(name)")
            found.append(Target(name: name, path: path, dependencies: dependencies))
        }
        return found
    }

    @Test func everyImportOfTheProjectsModulesIsDeclared() throws {
        let targets = try Self.targets()
        #expect(targets.count > 30, "Package.swift was not read: \(targets.count) targets")
        let declarable = Set(targets.map(\.name)).union(["ArgumentParser", "Logging"])
        for target in targets {
            let folder = Fixtures.packageRoot.appendingPathComponent(target.path)
            guard let files = FileManager.default.enumerator(atPath: folder.path) else { continue }
            var imported = Set<String>()
            for case let file as String in files where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    if let match = line.firstMatch(of: /^\s*(?:@testable\s+)?import\s+(\w+)/) { imported.insert(String(match.1)) }
                }
            }
            let undeclared = imported.intersection(declarable).subtracting(target.dependencies).subtracting([target.name])
            #expect(undeclared.isEmpty, "\(target.name) imports \(undeclared.sorted()) without declaring them in Package.swift")
        }
    }
}
