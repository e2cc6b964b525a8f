/// A tooth in FDI (ISO 3950) two-digit notation: quadrant then position, e.g. 36 (lower left first molar).
public struct ToothNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The two-digit number, e.g. 36.
    public let value: Int

    /// A permanent tooth (quadrants 1–4, positions 1–8) or a primary one (quadrants 5–8, positions 1–5);
    /// nil for any other number.
    public init?(_ value: Int) {
        let quadrant = value / 10, position = value % 10
        switch quadrant {
        case 1...4: guard (1...8).contains(position) else { return nil }
        case 5...8: guard (1...5).contains(position) else { return nil }
        default: return nil
        }
        self.value = value
    }

    /// Every valid number, permanent then primary, in order.
    public static let all: [ToothNumber] = (11...85).compactMap(ToothNumber.init)

    /// What every check of a tooth field says when the value is not one.
    public static let expectation = "must be an FDI tooth number (11–48 permanent, 51–85 primary)"

    /// Whether the tooth is a primary (deciduous) one.
    public var isPrimary: Bool { value >= 50 }

    /// Lower number first.
    public static func < (lhs: ToothNumber, rhs: ToothNumber) -> Bool { lhs.value < rhs.value }

    /// The two digits.
    public var description: String { String(value) }
}
