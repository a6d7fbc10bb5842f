/// The header fields of a request, kept as ranges into the bytes of the head
/// so that parsing allocates no string per header. Names compare without
/// regard to ASCII case, as HTTP requires.
public struct HTTPHeaders: Sendable, Sequence {
    let storage: [UInt8]
    let fields: [(name: Range<Int>, value: Range<Int>)]

    init(storage: [UInt8], fields: [(name: Range<Int>, value: Range<Int>)]) {
        self.storage = storage
        self.fields = fields
    }

    public init(_ pairs: [(String, String)] = []) {
        var storage: [UInt8] = []
        var fields: [(name: Range<Int>, value: Range<Int>)] = []
        for (name, value) in pairs {
            let nameStart = storage.count
            storage.append(contentsOf: name.utf8)
            let valueStart = storage.count
            storage.append(contentsOf: value.utf8)
            fields.append((nameStart..<valueStart, valueStart..<storage.count))
        }
        self.storage = storage
        self.fields = fields
    }

    public var count: Int { fields.count }

    /// The first value of the named header, or nil.
    public subscript(name: String) -> String? {
        firstValueBytes(name).map { String(decoding: $0, as: UTF8.self) }
    }

    public func firstValueBytes(_ name: String) -> ArraySlice<UInt8>? {
        for field in fields where Self.equalsIgnoringCase(storage[field.name], name.utf8) {
            return storage[field.value]
        }
        return nil
    }

    public func makeIterator() -> AnyIterator<(name: String, value: String)> {
        var index = 0
        return AnyIterator {
            guard index < fields.count else { return nil }
            defer { index += 1 }
            return (String(decoding: storage[fields[index].name], as: UTF8.self),
                    String(decoding: storage[fields[index].value], as: UTF8.self))
        }
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }

    static func equalsIgnoringCase<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { lowercased($0) == lowercased($1) }
    }
}
