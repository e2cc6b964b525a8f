import Glibc

/// Wall-clock time in Unix epoch milliseconds, without Foundation (cheap enough for hot loops).
@usableFromInline
package enum BusClock {
    /// Now, as Unix epoch milliseconds (UTC).
    @usableFromInline
    package static func nowMS() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// A monotonic clock in nanoseconds, for measuring latencies.
    package static func monotonicNS() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

extension Duration {
    /// This duration in whole milliseconds (rounded down, never negative).
    package var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
