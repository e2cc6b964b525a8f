/// Whitespace trimming and control-character checks in Swift alone: Foundation's `trimmingCharacters(in:)` and
/// `CharacterSet` bridge through NSString on Linux and showed up in every request that validates text.
extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, newlines, the ideographic space).
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// Whether the text holds a control or format character (Unicode categories Cc and Cf).
    public var containsControlCharacters: Bool {
        unicodeScalars.contains { scalar in
            if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F }
            let category = scalar.properties.generalCategory
            return category == .control || category == .format
        }
    }
}
