import Foundation
import Logging
import Synchronization

/// Process-wide logging set-up for executables (libraries only take a `Logger`).
public enum ClinicLogging {
    /// Sends logs to standard error at `level`; call once at start.
    public static func bootstrap(level: String) {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in ClinicLogHandler(label: label, logLevel: parsed) }
    }
}

/// Lines on standard error: `<UTC time>Z <level> <label>: <message> key=value …`.
///
/// Metadata is rendered only when a line is written. swift-log's `StreamLogHandler` re-renders it whenever it
/// changes, and Hummingbird sets a request id on every request's logger, so that cost was paid per request even
/// with nothing logged.
public struct ClinicLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    /// A handler for loggers named `label`, writing lines at `logLevel` and above.
    public init(label: String, logLevel: Logger.Level, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { _, new in new } }
        if let explicit, !explicit.isEmpty { merged.merge(explicit) { _, new in new } }
        var text = Date.now.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))  // in UTC
        text += "Z \(level) \(label): \(message)"
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { text += " \(key)=\(value)" }
        text += "\n"
        StandardError.write(text)
    }
}

/// Standard error, written a whole line at a time so lines from different threads never interleave.
enum StandardError {
    private static let lock = Mutex(())

    static func write(_ text: String) {
        lock.withLock { _ in
            var text = text
            text.withUTF8 { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
                    if written <= 0 { if errno == EINTR { continue } else { return } }
                    offset += written
                }
            }
        }
    }
}
