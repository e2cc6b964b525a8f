/// The `Grpc-Timeout` request header: a positive integer of at most 8 digits and a unit (H, M, S, m, u, n).
enum GrpcTimeout {
    /// The timeout the header asks for, or nil when it is malformed.
    static func parse(_ text: String) -> Duration? {
        let digits = text.utf8.dropLast()
        guard let unit = text.last, (1...8).contains(digits.count), digits.first != UInt8(ascii: "0"),
              digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let amount = Int64(text.dropLast()) else { return nil }
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

    /// Shortest deadline a client may ask for: less cannot be met reliably even by a read, and would only turn
    /// work the services did into 504s.
    static let minimum: Duration = .milliseconds(100)

    /// Longest deadline a client may ask for (a longer one is shortened to it).
    static let maximum: Duration = .seconds(60)

    /// The header's grammar with the minimum applied, as OpenAPI states it: hours, minutes or seconds, or at least
    /// 100 milliseconds or 100,000 microseconds (nanoseconds, at most 8 digits, cannot reach the minimum).
    static let pattern = "^([1-9][0-9]{0,7}[HMS]|[1-9][0-9]{2,7}m|[1-9][0-9]{5,7}u)$"
}
