#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Charset conversion through the C library's iconv, used for GBK bodies.
///
/// GBK notifications are rare, so each conversion opens its own descriptor:
/// an `iconv_t` must not be shared between threads, and this keeps the type
/// free of state.
enum IconvConverter {
    static func convert(_ input: [UInt8], from source: String, to target: String) -> [UInt8]? {
        if input.isEmpty { return [] }
        let descriptor = iconv_open(target, source)
        guard descriptor != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(descriptor) }

        // GBK to UTF-8 grows at most 3/2; UTF-8 to GBK shrinks. 4x is ample.
        var output = [UInt8](repeating: 0, count: input.count * 4 + 4)
        var input = input
        let produced: Int? = input.withUnsafeMutableBytes { inputBuffer in
            output.withUnsafeMutableBytes { outputBuffer in
                var inPointer = inputBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inputBuffer.count
                var outPointer = outputBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = outputBuffer.count
                let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                // Flush any shift state (none for GBK, but iconv wants it).
                guard result != -1, inLeft == 0,
                      iconv(descriptor, nil, nil, &outPointer, &outLeft) != -1 else { return nil }
                return outputBuffer.count - outLeft
            }
        }
        guard let produced else { return nil }
        output.removeSubrange(produced...)
        return output
    }
}
