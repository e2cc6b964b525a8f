import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation
import Logging

/// What follow-up does with clinic-staff's events: keeps its copy of who works here (names, roles, the doctor each
/// is in scheduling), and when a member leaves, marks their open tasks as waiting for a new assignee (none is lost)
/// and publishes `FollowUpsNeedReassignment`.
enum StaffFollower {
    /// clinic-staff as an event source.
    static let source = EventSource(publisher: "staff", topicPrefix: "clinic.staff.", replay: Clinic_Staff_V1_Events.replay)

    /// Registers the handlers of clinic-staff's events.
    static func register(on handlers: EventHandlers, logger: Logger) {
        handlers.on(Clinic_Staff_V1_StaffChanged.self) { db, _, event in
            try Directory.save(event.member, on: db)
            if !event.member.active, let id = UUIDText.parse(event.member.id) {
                try memberLeft(id, name: event.member.name, logger: logger, on: db)
            }
        }
        handlers.on(Clinic_Staff_V1_StaffDeactivated.self) { db, _, event in
            guard let id = UUIDText.parse(event.memberID) else { return }
            let name = try Directory.deactivate(id, at: event.hasAt ? event.at.date : Date(), on: db) ?? ""
            try memberLeft(id, name: name, logger: logger, on: db)
        }
    }

    /// Offers a departed member's open tasks for reassignment.
    static func memberLeft(_ id: UUID, name: String, logger: Logger, on db: Connection) throws {
        let count = try TaskStore.markUnattended(member: id, on: db)
        guard count > 0 else { return }
        var event = Clinic_Followup_V1_FollowUpsNeedReassignment()
        event.memberID = id.lowercasedText
        event.memberName = name
        event.openTasks = Int32(count)
        try FollowUpEvents.append(event, on: db)
        logger.notice("a member who left has open follow-ups to reassign", metadata: ["member_id": "\(id.lowercasedText)", "tasks": "\(count)"])
    }
}
