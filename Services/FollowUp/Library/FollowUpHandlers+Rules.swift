import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicValues
import Foundation

/// The rule table: listing, adding, changing, and previewing the plan it makes.
extension FollowUpHandlers {
    /// ListRules: the rules by kind and offset.
    func listRules(_ context: RequestContext, _ request: Clinic_Followup_V1_ListRulesRequest) throws -> Clinic_Followup_V1_ListRulesResponse {
        var response = Clinic_Followup_V1_ListRulesResponse()
        response.rules = try RuleStore.list(includeInactive: request.includeInactive, on: db).map(FollowUpMessages.rule)
        return response
    }

    /// CreateRule: a new follow-up point for a treatment kind, or for every patient.
    func createRule(_ context: RequestContext, _ request: Clinic_Followup_V1_CreateRuleRequest) throws -> Clinic_Followup_V1_FollowUpRule {
        let kind = request.everyone ? nil : StoredNames.name(request.treatmentKind, in: StoredNames.treatmentKinds)
        if !request.everyone && kind == nil { throw RPCError.invalidArgument(field: "treatmentKind", "must be a treatment kind, or set everyone") }
        let rule = try Self.rule(id: UUID.random(), kind: kind, offset: request.offset, unit: request.unit, windowEnd: request.windowEnd,
                                 caller: request.caller, purpose: request.purpose, untilKind: request.untilKind,
                                 endsSeries: request.endsSeries, active: true, by: context.actor)
        return try db.transaction { db in
            try RuleStore.save(rule, on: db)
            logger.info("follow-up rule added", metadata: ["rule_id": "\(rule.id.lowercasedText)", "by": "\(context.actor)"])
            return FollowUpMessages.rule(rule)
        }
    }

    /// UpdateRule: a rule's offset, caller, purpose and use changed; plans already made keep their tasks.
    func updateRule(_ context: RequestContext, _ request: Clinic_Followup_V1_UpdateRuleRequest) throws -> Clinic_Followup_V1_FollowUpRule {
        let id = try CheckedID.parse(request.ruleID, field: "ruleId")
        return try db.transaction { db in
            guard let existing = try RuleStore.find(id, on: db) else { throw RPCError.notFound("follow-up rule \(id.lowercasedText) not found") }
            let rule = try Self.rule(id: id, kind: existing.treatmentKind, offset: request.offset, unit: request.unit,
                                     windowEnd: request.windowEnd, caller: request.caller, purpose: request.purpose,
                                     untilKind: request.untilKind, endsSeries: request.endsSeries, active: request.active, by: context.actor)
            try RuleStore.save(rule, on: db)
            logger.info("follow-up rule changed", metadata: ["rule_id": "\(id.lowercasedText)", "by": "\(context.actor)"])
            return FollowUpMessages.rule(rule)
        }
    }

    /// A rule from a request's fields; INVALID_ARGUMENT naming each one that is wrong.
    static func rule(id: UUID, kind: String?, offset: Int32, unit: Clinic_Followup_V1_OffsetUnit, windowEnd: Int32,
                     caller: Clinic_Followup_V1_Caller, purpose: String, untilKind: Clinic_Reception_V1_TreatmentKind, endsSeries: Bool,
                     active: Bool, by actor: String) throws -> FollowUpRule {
        var violations: [Violation] = []
        let unitValue = StoredNames.name(unit, in: StoredNames.units).flatMap(OffsetUnit.init(rawValue:))
        if unitValue == nil { violations.append(Violation("unit", "must be hours, days or months")) }
        let callerValue = StoredNames.name(caller, in: StoredNames.callers).flatMap(CallerKind.init(rawValue:))
        if callerValue == nil { violations.append(Violation("caller", "must be the treating doctor or customer service")) }
        if windowEnd != 0 && windowEnd <= offset { violations.append(Violation("windowEnd", "must be after the offset (or 0)")) }
        if purpose.trimmingWhitespace().isEmpty { violations.append(Violation("purpose", "is required")) }
        let until = untilKind == .unspecified ? nil : StoredNames.name(untilKind, in: StoredNames.treatmentKinds)
        if untilKind != .unspecified && until == nil { violations.append(Violation("untilKind", "must be a treatment kind")) }
        guard violations.isEmpty, let unitValue, let callerValue else { throw ViolationList(violations).rpcError }
        return FollowUpRule(id: id, treatmentKind: kind, offset: Int(offset), unit: unitValue, windowEnd: Int(windowEnd), caller: callerValue,
                            purpose: purpose.trimmingWhitespace(), untilKind: until, endsSeries: endsSeries, active: active, updatedBy: actor,
                            updatedAt: Date().inStoredPrecision)
    }

    /// PreviewPlan: the calls the rules in force give treatments at a time, nothing stored.
    func previewPlan(_ context: RequestContext, _ request: Clinic_Followup_V1_PreviewPlanRequest) throws -> Clinic_Followup_V1_PreviewPlanResponse {
        let treatedAt = request.hasTreatedAt ? request.treatedAt.date : Date()
        let given = request.treatments.map { treatment in
            TreatmentGiven(kind: StoredNames.name(treatment.kind, in: StoredNames.treatmentKinds) ?? "other", teeth: treatment.teeth.map(Int.init))
        }
        var response = Clinic_Followup_V1_PreviewPlanResponse()
        response.calls = FollowUpPlanner.plan(given, treatedAt: treatedAt, rules: try RuleStore.list(on: db), clock: clock)
            .map(FollowUpMessages.plannedCall)
        return response
    }
}
