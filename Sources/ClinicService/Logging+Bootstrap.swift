import Foundation
import Logging

/// Process-wide logging set-up for executables (libraries only take a `Logger`).
public enum ClinicLogging {
    /// Sends logs to standard error at `level`; call once at start.
    public static func bootstrap(level: String) {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }
}
