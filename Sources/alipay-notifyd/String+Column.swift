extension String {
    /// The text as a column of a table printed in a terminal: padded with
    /// spaces to `width`, and followed by one space when it is wider, so the
    /// next column never touches it.
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
