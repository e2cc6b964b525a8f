import ClinicStore
import Foundation

/// Follow-up's SQL for the rule table.
enum RuleStore {
    /// The rules (the active ones unless `includeInactive`), by kind (every-patient points last) and offset.
    static func list(includeInactive: Bool = false, on db: Connection) throws -> [FollowUpRule] {
        try db.query("""
            SELECT id, treatment_kind, offset_value, offset_unit, window_end, caller, purpose, until_kind, ends_series, active,
                   updated_by, updated_at
            FROM rules WHERE active OR \(includeInactive)
            ORDER BY treatment_kind NULLS LAST,
                     CASE offset_unit WHEN 'hours' THEN offset_value / 24.0 WHEN 'days' THEN offset_value ELSE offset_value * 30.4 END, id
            """).map(decode)
    }

    /// The rule `id`.
    static func find(_ id: UUID, on db: Connection) throws -> FollowUpRule? {
        try db.query("""
            SELECT id, treatment_kind, offset_value, offset_unit, window_end, caller, purpose, until_kind, ends_series, active,
                   updated_by, updated_at FROM rules WHERE id = \(id)
            """).first.map(decode)
    }

    /// Stores a new rule, or replaces the one with its id.
    static func save(_ rule: FollowUpRule, on db: Connection) throws {
        try db.execute("""
            INSERT INTO rules (id, treatment_kind, offset_value, offset_unit, window_end, caller, purpose, until_kind, ends_series,
                               active, updated_by, updated_at)
            VALUES (\(rule.id), \(rule.treatmentKind), \(rule.offset), \(rule.unit.rawValue), \(rule.windowEnd), \(rule.caller.rawValue),
                    \(rule.purpose), \(rule.untilKind), \(rule.endsSeries), \(rule.active), \(rule.updatedBy), \(rule.updatedAt))
            ON CONFLICT (id) DO UPDATE SET offset_value = EXCLUDED.offset_value, offset_unit = EXCLUDED.offset_unit,
                window_end = EXCLUDED.window_end, caller = EXCLUDED.caller, purpose = EXCLUDED.purpose,
                until_kind = EXCLUDED.until_kind, ends_series = EXCLUDED.ends_series, active = EXCLUDED.active,
                updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
            """)
    }

    /// Decodes a rule row.
    private static func decode(_ row: Row) throws -> FollowUpRule {
        FollowUpRule(id: try row.decode("id"), treatmentKind: try row.decode("treatment_kind"), offset: try row.decode("offset_value"),
                     unit: OffsetUnit(rawValue: try row.decode("offset_unit")) ?? .days, windowEnd: try row.decode("window_end"),
                     caller: CallerKind(rawValue: try row.decode("caller")) ?? .customerService, purpose: try row.decode("purpose"),
                     untilKind: try row.decode("until_kind"), endsSeries: try row.decode("ends_series"), active: try row.decode("active"),
                     updatedBy: try row.decode("updated_by"), updatedAt: try row.decode("updated_at"))
    }
}
