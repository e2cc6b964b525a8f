import Logging
import Synchronization

/// Keeps every log line written through its loggers, message and metadata rendered as text.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// Nothing kept yet.
    public init() {}

    /// A logger at trace level whose lines are kept here.
    public func logger(label: String) -> Logger {
        var logger = Logger(label: label) { label in Handler(label: label, capture: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Every line so far.
    public var all: [String] { lines.withLock { $0 } }

    /// Every line so far, one per entry.
    public var text: String { all.joined(separator: "\n") }

    fileprivate func keep(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let label: String
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            capture.keep("\(event.level) \(label): \(event.message) \(merged.map { "\($0)=\($1)" }.sorted().joined(separator: " "))")
        }
    }
}

