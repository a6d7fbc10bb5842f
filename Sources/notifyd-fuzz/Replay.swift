#if canImport(Glibc)
import Glibc
#endif
import Foundation
import FuzzChecks

/// Feeds saved inputs through a property, reporting each one that breaks it.
enum Replay {
    static func run(_ property: any FuzzProperty, paths: [String]) -> Int32 {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                writeError("notifyd-fuzz: \(path): no such file or folder\n")
                return 2
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        var broken = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                writeError("notifyd-fuzz: \(file): cannot read\n")
                return 2
            }
            do {
                try property.check(Array(data))
            } catch {
                broken += 1
                print("\(file): \(error)")
            }
        }
        print("\(files.count) inputs replayed, \(broken) broke the property")
        return broken == 0 ? 0 : 1
    }
}

/// Writes a message to standard error (fd 2) in one write.
func writeError(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
