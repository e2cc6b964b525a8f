/// The `Grpc-Timeout` request header: a positive integer of at most 8 digits and a unit (H, M, S, m, u, n).
enum GrpcTimeout {
    /// The timeout the header asks for, or nil when it is malformed.
    static func parse(_ text: String) -> Duration? {
        guard let unit = text.last, text.count >= 2, text.count <= 9,
              let amount = Int64(text.dropLast()), amount > 0 else { return nil }
        switch unit {
        case "H": return .seconds(amount * 3600)
        case "M": return .seconds(amount * 60)
        case "S": return .seconds(amount)
        case "m": return .milliseconds(amount)
        case "u": return .microseconds(amount)
        case "n": return .nanoseconds(amount)
        default: return nil
        }
    }

    /// Longest deadline a client may ask for.
    static let maximum: Duration = .seconds(60)
}
