import ClinicStore
import ClinicValues
import Foundation

/// The rule table's defaults: DOMAIN.md §4's table, one row per follow-up point. Calls in the first month go to the
/// treating doctor, later ones to customer service; the implant's monthly calls end when the crown is on; each
/// treatment's last point ends its clinical series (long-term recall follows). Migration 2 loads them; the clinic
/// edits them through the API afterwards.
enum DefaultRules {
    /// Every default point, in the table's order. Ids are fixed (…-000000000001 onwards) so that a clinic's edits and
    /// the documentation can name them.
    static let all: [FollowUpRule] = {
        var number = 0
        func point(_ kind: String?, _ offset: Int, _ unit: OffsetUnit, _ caller: CallerKind, _ purpose: String, window: Int = 0,
                   until: String? = nil, endsSeries: Bool = false) -> FollowUpRule {
            number += 1
            let id = UUID(uuidString: "0f0110e0-0000-4000-8000-\(ClinicDate.padded(number, 12))")!
            return FollowUpRule(id: id, treatmentKind: kind, offset: offset, unit: unit, windowEnd: window, caller: caller,
                                purpose: purpose, untilKind: until, endsSeries: endsSeries, active: true,
                                updatedBy: "system:defaults", updatedAt: Date(timeIntervalSince1970: 0))
        }
        return [
        point("extraction", 3, .hours, .treatingDoctor, "拔牙后3小时回访（出血、疼痛）"),
        point("extraction", 1, .days, .treatingDoctor, "拔牙后第1天回访"),
        point("extraction", 3, .days, .treatingDoctor, "拔牙后第3天回访"),
        point("extraction", 90, .days, .customerService, "拔牙后90天：邀请修复或复查", endsSeries: true),
        point("filling", 1, .days, .treatingDoctor, "补牙后第1天回访"),
        point("filling", 90, .days, .customerService, "补牙后90天回访"),
        point("filling", 180, .days, .customerService, "补牙后180天回访"),
        point("filling", 360, .days, .customerService, "补牙后360天回访（一年内脱落免费重补）", endsSeries: true),
        point("root_canal_in_progress", 1, .days, .treatingDoctor, "根管治疗中第1天回访"),
        point("root_canal_obturated", 3, .days, .treatingDoctor, "根充后第3天回访"),
        point("root_canal_obturated", 15, .days, .treatingDoctor, "根充后第15天回访", endsSeries: true),
        point("crown_bridge_denture", 1, .days, .treatingDoctor, "修复后第1天回访"),
        point("crown_bridge_denture", 7, .days, .treatingDoctor, "修复后第7天回访"),
        point("crown_bridge_denture", 30, .days, .treatingDoctor, "修复后第30天回访"),
        point("crown_bridge_denture", 90, .days, .customerService, "修复后90天回访"),
        point("crown_bridge_denture", 180, .days, .customerService, "修复后180天回访"),
        point("crown_bridge_denture", 360, .days, .customerService, "修复后360天回访", endsSeries: true),
        point("cleaning", 1, .days, .treatingDoctor, "洁牙后第1天回访"),
        point("cleaning", 180, .days, .customerService, "洁牙后180天：邀请复查及再次洁牙", endsSeries: true),
        point("periodontal", 1, .days, .treatingDoctor, "牙周治疗后第1天回访"),
        point("periodontal", 30, .days, .treatingDoctor, "牙周治疗后第30天回访"),
        point("periodontal", 90, .days, .customerService, "牙周治疗后90天回访", endsSeries: true),
        point("implant_surgery", 1, .days, .treatingDoctor, "种植手术后第1天回访"),
        point("implant_surgery", 1, .months, .treatingDoctor, "种植后每月回访（第1个月，至戴牙）", until: "implant_crown"),
        point("implant_surgery", 2, .months, .customerService, "种植后每月回访（第2个月，至戴牙）", until: "implant_crown"),
        point("implant_surgery", 3, .months, .customerService, "种植后每月回访（第3个月，至戴牙）", until: "implant_crown"),
        point("implant_surgery", 4, .months, .customerService, "种植后每月回访（第4个月，至戴牙）", until: "implant_crown"),
        point("implant_surgery", 5, .months, .customerService, "种植后每月回访（第5个月，至戴牙）", until: "implant_crown"),
        point("implant_surgery", 6, .months, .customerService, "种植后每月回访（第6个月，至戴牙）", until: "implant_crown"),
        point("implant_crown", 1, .months, .treatingDoctor, "种植戴牙后1个月回访"),
        point("implant_crown", 3, .months, .customerService, "种植戴牙后3个月回访"),
        point("implant_crown", 6, .months, .customerService, "种植戴牙后6个月回访"),
        point("implant_crown", 9, .months, .customerService, "种植戴牙后9个月回访"),
        point("implant_crown", 12, .months, .customerService, "种植戴牙后12个月回访", endsSeries: true),
        point("orthodontic_surgical_step", 1, .days, .treatingDoctor, "正畸手术步骤后第1天回访"),
        point("orthodontic_retainer", 7, .days, .treatingDoctor, "戴保持器后第7天回访"),
        point("orthodontic_retainer", 90, .days, .customerService, "戴保持器后90天回访"),
        point("orthodontic_retainer", 180, .days, .customerService, "戴保持器后180天回访"),
        point("orthodontic_retainer", 360, .days, .customerService, "戴保持器后360天回访", endsSeries: true),
        point("other", 1, .days, .treatingDoctor, "治疗后第1天回访"),
        point(nil, 3, .months, .customerService, "3–6个月定期检查邀请", window: 6),
        ]
    }()

    /// The migration that loads them (made from `all`, so the table and the code cannot disagree).
    static var migration: Migration {
        let rows = all.map { rule in
            "(\(literal(rule.id.lowercasedText)), \(literal(rule.treatmentKind)), \(rule.offset), \(literal(rule.unit.rawValue)), "
                + "\(rule.windowEnd), \(literal(rule.caller.rawValue)), \(literal(rule.purpose)), \(literal(rule.untilKind)), \(rule.endsSeries))"
        }
        return Migration(version: 2, name: "load_default_rules", sql: """
            INSERT INTO rules (id, treatment_kind, offset_value, offset_unit, window_end, caller, purpose, until_kind, ends_series)
            VALUES
            \(rows.joined(separator: ",\n"));
            """)
    }

    /// A SQL string literal (or NULL); the defaults are the code's own text, quotes doubled all the same.
    private static func literal(_ text: String?) -> String {
        guard let text else { return "NULL" }
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
