import Synchronization

/// Fresh request ids: unique within this process by a counter, and across processes by a random 64-bit prefix
/// drawn once. Far cheaper than `UUID()`, which on Linux opens and reads `/dev/urandom` on every call.
public enum RequestID {
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        let random = String(generator.next() as UInt64, radix: 16)
        return String(repeating: "0", count: 16 - random.count) + random + "-"
    }()
    private static let counter = Atomic<UInt64>(0)

    /// A new id, `<16 hex digits of this process>-<sequence number in hex>`.
    public static func next() -> String {
        prefix + String(counter.add(1, ordering: .relaxed).newValue, radix: 16)
    }
}
