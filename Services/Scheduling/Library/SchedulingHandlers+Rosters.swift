import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import Foundation
import SwiftProtobuf

/// Weekly rosters, date overrides and leave.
extension SchedulingHandlers {
    /// Longest span GetRoster shows.
    static let maxRosterViewDays = 62
    /// Longest single leave.
    static let maxLeaveDays = 366

    func setWeeklyRoster(_ context: RequestContext, _ request: Clinic_Scheduling_V1_SetWeeklyRosterRequest) throws -> Clinic_Scheduling_V1_WeeklyRoster {
        let doctorID = try CheckedID.parse(request.doctorID, field: "doctorId")
        var violations: [Violation] = []
        var week = WeeklyRoster()
        for (index, day) in request.days.enumerated() {
            let field = "days[\(index)]"
            // The contract holds the weekday to 1–7.
            let weekday = Int(day.weekday)
            if week.days[weekday] != nil || request.days.prefix(index).contains(where: { $0.weekday == day.weekday }) {
                violations.append(Violation("\(field).weekday", "is listed twice"))
            }
            switch Self.hours(day.hours, day.breaks, field: field) {
            case .success(let hours): week.days[weekday] = hours
            case .failure(let list): violations += list.violations
            }
        }
        guard violations.isEmpty else { throw ViolationList(violations).rpcError }
        return try db.transaction { db in
            guard try DoctorStore.doctor(doctorID, forUpdate: true, on: db) != nil else {
                throw RPCError.notFound("doctor \(doctorID.lowercasedText) not found")
            }
            try RosterStore.replaceWeekly(week, of: doctorID, on: db)
            logger.info("weekly roster set", metadata: ["doctor_id": "\(doctorID.lowercasedText)", "request_id": "\(context.requestID)"])
            return messages.weekly(week, doctor: doctorID, updatedAt: try RosterStore.weeklyUpdatedAt(of: doctorID, on: db))
        }
    }

    func getRoster(_ context: RequestContext, _ request: Clinic_Scheduling_V1_GetRosterRequest) throws -> Clinic_Scheduling_V1_RosterView {
        let doctorID = try CheckedID.parse(request.doctorID, field: "doctorId")
        let from = try CheckedDate.parse(request.fromDate, field: "fromDate", default: clock.today())
        let to = try CheckedDate.parse(request.toDate, field: "toDate", default: from.adding(days: 6))
        guard from <= to else { throw RPCError.invalidArgument(field: "toDate", "must not be before fromDate") }
        guard from.days(until: to) < Self.maxRosterViewDays else {
            throw RPCError.invalidArgument(field: "toDate", "at most \(Self.maxRosterViewDays) days can be shown at once")
        }
        guard try DoctorStore.doctor(doctorID, on: db) != nil else { throw RPCError.notFound("doctor \(doctorID.lowercasedText) not found") }
        let weekly = try RosterStore.weekly(of: [doctorID], on: db)[doctorID] ?? WeeklyRoster()
        let overrides = try RosterStore.overrides(of: [doctorID], from: from, to: to, on: db)
        let range = TimeSpan(start: clock.startOfDay(from), end: clock.startOfDay(to.adding(days: 1)))
        let leave = try RosterStore.leave(of: [doctorID], overlapping: range, on: db)
        var view = Clinic_Scheduling_V1_RosterView()
        view.weekly = messages.weekly(weekly, doctor: doctorID, updatedAt: try RosterStore.weeklyUpdatedAt(of: doctorID, on: db))
        view.overrides = overrides.map(messages.override)
        view.leave = leave.map(messages.leave)
        let plans = Dictionary(overrides.map { ($0.date, $0.plan) }, uniquingKeysWith: { first, _ in first })
        view.days = (0...from.days(until: to)).map { offset in
            let date = from.adding(days: offset)
            let day = roster.day(date, weekly: weekly, override: plans[date], leave: leave.map(\.span))
            var message = Clinic_Scheduling_V1_EffectiveDay()
            message.date = date.description
            message.working = day.localWorking.map(SchedulingMessages.range)
            message.note = day.note
            return message
        }
        return view
    }

    func setRosterOverride(_ context: RequestContext, _ request: Clinic_Scheduling_V1_SetRosterOverrideRequest) throws -> Clinic_Scheduling_V1_RosterOverride {
        let input = request.override
        let doctorID = try CheckedID.parse(input.doctorID, field: "override.doctorId")
        let date = try CheckedDate.parse(input.date, field: "override.date")
        guard input.dayOff || input.hasHours else {
            throw RPCError.invalidArgument(field: "override.hours", "is required unless dayOff is true")
        }
        let plan: DayPlan = input.dayOff ? .dayOff : .hours(try Self.hours(input.hours, input.breaks, field: "override").orInvalidArgument())
        let record = RosterOverrideRecord(doctorID: doctorID, date: date, plan: plan, reason: input.reason)
        return try db.transaction { db in
            guard try DoctorStore.doctor(doctorID, forUpdate: true, on: db) != nil else {
                throw RPCError.notFound("doctor \(doctorID.lowercasedText) not found")
            }
            try ensureNothingStranded(doctor: doctorID, on: date, plan: plan, db: db)
            try RosterStore.upsertOverride(record, on: db)
            logger.info("roster override set", metadata: ["doctor_id": "\(doctorID.lowercasedText)", "date": "\(date)"])
            return messages.override(record)
        }
    }

    func deleteRosterOverride(_ context: RequestContext, _ request: Clinic_Scheduling_V1_DeleteRosterOverrideRequest) throws -> Clinic_Scheduling_V1_DeleteRosterOverrideResponse {
        let doctorID = try CheckedID.parse(request.doctorID, field: "doctorId")
        let date = try CheckedDate.parse(request.date, field: "date")
        return try db.transaction { db in
            guard try DoctorStore.doctor(doctorID, forUpdate: true, on: db) != nil else {
                throw RPCError.notFound("doctor \(doctorID.lowercasedText) not found")
            }
            // With the override gone the weekly hours apply again: they must still hold that date's appointments.
            try ensureNothingStranded(doctor: doctorID, on: date, plan: nil, db: db)
            var response = Clinic_Scheduling_V1_DeleteRosterOverrideResponse()
            response.deleted = try RosterStore.deleteOverride(of: doctorID, on: date, db: db)
            return response
        }
    }

    func addLeave(_ context: RequestContext, _ request: Clinic_Scheduling_V1_AddLeaveRequest) throws -> Clinic_Scheduling_V1_AddLeaveResponse {
        let doctorID = try CheckedID.parse(request.doctorID, field: "doctorId")
        let span = try leaveSpan(request)
        return try IdempotentWrite.perform(context, on: db) { db in
            guard try DoctorStore.doctor(doctorID, forUpdate: true, on: db) != nil else {
                throw RPCError.notFound("doctor \(doctorID.lowercasedText) not found")
            }
            let leave = try RosterStore.insertLeave(doctor: doctorID, span: span, reason: request.reason,
                                                    createdBy: context.actor, on: db)
            let affected = try messages(for: try AppointmentStore.active(doctor: doctorID, overlapping: span, on: db), on: db)
            var response = Clinic_Scheduling_V1_AddLeaveResponse()
            response.leave = messages.leave(leave)
            response.affectedAppointments = affected
            var event = Clinic_Scheduling_V1_DoctorLeaveAdded()
            event.leave = response.leave
            event.affectedAppointments = affected
            try SchedulingService.events.append(event, on: db)
            logger.info("leave added", metadata: ["doctor_id": "\(doctorID.lowercasedText)", "leave_id": "\(leave.id.lowercasedText)",
                                                  "affected": "\(affected.count)", "request_id": "\(context.requestID)"])
            return response
        }
    }

    func cancelLeave(_ context: RequestContext, _ request: Clinic_Scheduling_V1_CancelLeaveRequest) throws -> Clinic_Scheduling_V1_Leave {
        let id = try CheckedID.parse(request.leaveID, field: "leaveId")
        guard let leave = try RosterStore.cancelLeave(id, on: db) else { throw RPCError.notFound("leave \(id.lowercasedText) not found") }
        return messages.leave(leave)
    }

    // MARK: Helpers

    /// Throws FAILED_PRECONDITION listing the active appointments on `date` that `plan` (nil: the weekly hours)
    /// would leave outside working time.
    func ensureNothingStranded(doctor: UUID, on date: ClinicDate, plan: DayPlan?, db: Connection) throws {
        let dayAppointments = try AppointmentStore.active(doctor: doctor, overlapping: clock.span(of: date), on: db)
        guard !dayAppointments.isEmpty else { return }
        let weekly = try RosterStore.weekly(of: [doctor], on: db)[doctor] ?? WeeklyRoster()
        let leave = try RosterStore.leave(of: [doctor], overlapping: clock.span(of: date), on: db).map(\.span)
        let day = roster.day(date, weekly: weekly, override: plan, leave: leave)
        let stranded = dayAppointments.filter { appointment in !day.working.contains { $0.contains(appointment.span) } }
        guard !stranded.isEmpty else { return }
        let ids = stranded.map(\.id.lowercasedText).joined(separator: ", ")
        throw RPCError.failedPrecondition(
            "\(stranded.count) appointment(s) on \(date) would fall outside Dr \(stranded[0].doctorName)'s hours; move them first: \(ids)")
    }

    /// The span a leave request covers: exact instants, or whole clinic-local days inclusive.
    private func leaveSpan(_ request: Clinic_Scheduling_V1_AddLeaveRequest) throws -> TimeSpan {
        let byInstants = request.hasStartTime || request.hasEndTime
        let byDates = !request.startDate.isEmpty || !request.endDate.isEmpty
        if byInstants == byDates {
            throw RPCError.invalidArgument(field: "startTime", "give either startTime and endTime, or startDate and endDate")
        }
        let span: TimeSpan
        if byInstants {
            guard request.hasStartTime else { throw RPCError.invalidArgument(field: "startTime", "is required") }
            guard request.hasEndTime else { throw RPCError.invalidArgument(field: "endTime", "is required") }
            span = TimeSpan(start: request.startTime.date, end: request.endTime.date)
            guard span.end > span.start else { throw RPCError.invalidArgument(field: "endTime", "must be after startTime") }
        } else {
            let from = try CheckedDate.parse(request.startDate, field: "startDate")
            let to = try CheckedDate.parse(request.endDate, field: "endDate", default: from)
            guard from <= to else { throw RPCError.invalidArgument(field: "endDate", "must not be before startDate") }
            span = TimeSpan(start: clock.startOfDay(from), end: clock.startOfDay(to.adding(days: 1)))
        }
        guard span.seconds <= Double(Self.maxLeaveDays) * 86_400 else {
            throw RPCError.invalidArgument(field: byInstants ? "endTime" : "endDate", "leave may last at most \(Self.maxLeaveDays) days")
        }
        return span
    }

    /// Hours and breaks from the wire form, checked.
    static func hours(_ hours: Clinic_Scheduling_V1_TimeOfDayRange, _ breaks: [Clinic_Scheduling_V1_TimeOfDayRange],
                      field: String) -> Result<WorkingHours, ViolationList> {
        WorkingHours.parse(start: hours.start, end: hours.end, breaks: breaks.map { ($0.start, $0.end) }, field: field)
    }
}
