import ClinicBus
import ClinicProto
import ClinicService
import ClinicValues
import Foundation
import Logging

/// The sender the stack ships for local runs: it claims due messages over the bus like an SMS gateway would, writes
/// each to a log file (recipient masked) in place of sending it, and reports it delivered.
public struct MessageLogSender: Sendable {
    /// The bus identity `clinic up` gives it.
    public static let identity = StackKeys.messageSender

    let client: BusClient
    let sender: String
    let file: URL
    let logger: Logger

    /// A sender claiming as `sender` through `client`, appending to `file`.
    public init(client: BusClient, sender: String, file: URL, logger: Logger) {
        self.client = client
        self.sender = sender
        self.file = file
        self.logger = logger
    }

    /// One round: claims up to `batch` messages, writes them, reports each delivered; how many were written.
    /// Blocks the calling thread (run it on a thread of its own, never on a Task).
    @discardableResult
    public func sendOnce(batch: Int = 20) throws -> Int {
        var claim = Clinic_Followup_V1_ClaimMessagesRequest()
        claim.sender = sender
        claim.maxMessages = Int32(batch)
        let messages = try client.callBlocking(Clinic_Followup_V1_Messages.claimMessages, claim).messages
        guard !messages.isEmpty else { return 0 }
        let stamp = ISO8601DateFormatter().string(from: Date())
        let lines = messages.map { message in
            "\(stamp) \(message.channel == .wechat ? "wechat" : "sms") to=\(MobileNumber.mask(message.recipient)) template=\(message.template) id=\(message.id) \(message.text)\n"
        }.joined()
        try append(lines)
        for message in messages {
            var report = Clinic_Followup_V1_ReportDeliveryRequest()
            report.messageID = message.id
            report.sender = sender
            report.outcome = .delivered
            report.providerReference = "log:\(file.lastPathComponent)"
            _ = try client.callBlocking(Clinic_Followup_V1_Messages.reportDelivery, report)
        }
        logger.info("messages written to the log", metadata: ["count": "\(messages.count)", "file": "\(file.path)"])
        return messages.count
    }

    /// Appends `text` to the log file, creating it when missing.
    private func append(_ text: String) throws {
        if !FileManager.default.fileExists(atPath: file.path) {
            FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
