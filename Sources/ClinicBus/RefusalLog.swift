/// Rate-limits log lines about refused peers or dropped events: one per key (an address, a peer) per interval,
/// counting what was not logged.
struct RefusalLog {
    private var last: [String: (at: Int64, suppressed: Int)] = [:]
    let interval: Int64

    init(interval: Int64) { self.interval = interval }

    /// Nil when a line for `address` was logged within the interval; else how many were suppressed since.
    mutating func shouldLog(_ address: String, now: Int64) -> Int? {
        if let previous = last[address], now - previous.at < interval {
            last[address]?.suppressed += 1
            return nil
        }
        if last.count > 1024 { last.removeAll() }
        let suppressed = last[address]?.suppressed ?? 0
        last[address] = (now, 0)
        return suppressed
    }
}
