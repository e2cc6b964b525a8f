/// Amounts as people read them: fen (integer) to yuan text, with integer arithmetic only.
enum Money {
    /// "128.50" for 12850 fen, "-3.05" for -305.
    static func yuan(_ fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
