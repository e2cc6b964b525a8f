/// A fee-schedule code's shape, as reception's treatments carry them: a letter or digit, then letters, digits,
/// `.`, `_` or `-`; at most 32 characters.
enum FeeCode {
    /// Longest code accepted.
    static let maxLength = 32

    /// Whether `text` is a well-formed fee code.
    static func isValid(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= maxLength else { return false }
        /// An ASCII letter or digit.
        func alphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        return alphanumeric(first) && text.unicodeScalars.dropFirst().allSatisfy { alphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }
}
