import ClinicValues
import Foundation

/// One step of a complaint as stored.
struct ComplaintStepRecord: Sendable, Equatable {
    var status: String
    var note: String
    var by: String
    var at: Date
}

/// A complaint as stored.
struct ComplaintRecord: Sendable, Equatable {
    var id: UUID
    var sourceKey: String?
    var patientID: UUID?
    var patientName: String
    var phone: String
    var channel: String
    var category: String
    var description: String
    var severity: String
    var ownerID: UUID?
    var ownerName = ""
    var status = "open"
    var replyDeadline: ClinicDate
    var reply = ""
    var resolution = ""
    var correctiveAction = ""
    var resolutionSatisfaction: String?
    var escalatedAt: Date?
    var escalationReason = ""
    var taskID: UUID?
    var visitID: UUID?
    var filedBy: String
    var filedAt: Date
    var steps: [ComplaintStepRecord] = []

    /// Past its reply deadline with no reply yet.
    func isOverdue(on day: ClinicDate) -> Bool { (status == "open" || status == "investigating") && replyDeadline < day }
}

/// A complaint's states: open → investigating → replied → closed, one step at a time.
enum ComplaintLifecycle {
    /// The state a complaint must be in to move to `next`.
    static func required(before next: String) -> String? {
        switch next {
        case "investigating": "open"
        case "replied": "investigating"
        case "closed": "replied"
        default: nil
        }
    }

    /// Whether a complaint in `current` may move to `next`; the refusal names both.
    static func check(from current: String, to next: String) -> Result<Void, ComplaintStepRefused> {
        required(before: next) == current ? .success(()) : .failure(ComplaintStepRefused(current: current, next: next))
    }
}

/// A step the lifecycle does not allow.
struct ComplaintStepRefused: Error, Equatable, CustomStringConvertible {
    var current: String
    var next: String
    var description: String {
        "the complaint is \(current): only a\(ComplaintLifecycle.required(before: next) == "open" ? "n" : "") \(ComplaintLifecycle.required(before: next) ?? "?") complaint can become \(next)"
    }
}
