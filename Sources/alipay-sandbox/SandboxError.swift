/// A failure of a sandbox command, said plainly (no usage text: the command
/// line was fine, something around it was not).
struct SandboxError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
