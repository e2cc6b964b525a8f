import ClinicService
import ClinicStore
import Foundation

/// Reception's SQL for phone consultations.
enum PhoneConsultationStore {
    static let columns = """
        id, caller_name, phone, patient_id, question, answer, advice, call_back_needed, appointment_needed, recorded_by, recorded_at
        """

    /// Stores a consultation.
    static func insert(_ record: PhoneConsultationRecord, on db: Connection) throws {
        try db.execute("""
            INSERT INTO phone_consultations (id, caller_name, phone, patient_id, question, answer, advice, call_back_needed,
                appointment_needed, recorded_by, recorded_at)
            VALUES (\(record.id), \(record.callerName), \(record.phone), \(record.patientID), \(record.question), \(record.answer),
                \(record.advice), \(record.callBackNeeded), \(record.appointmentNeeded), \(record.recordedBy), \(record.recordedAt))
            """)
    }

    /// The consultation with `id`.
    static func find(_ id: UUID, on db: Connection) throws -> PhoneConsultationRecord? {
        try db.query("SELECT \(raw: columns) FROM phone_consultations WHERE id = \(id)").first.map(record(from:))
    }

    /// The consultations recorded during `span`, newest first.
    static func list(in span: TimeSpan, limit: Int, offset: Int, on db: Connection) throws -> [PhoneConsultationRecord] {
        try db.query("""
            SELECT \(raw: columns) FROM phone_consultations
            WHERE recorded_at >= \(span.start) AND recorded_at < \(span.end)
            ORDER BY recorded_at DESC, id LIMIT \(limit) OFFSET \(offset)
            """).map(record(from:))
    }

    private static func record(from row: Row) throws -> PhoneConsultationRecord {
        PhoneConsultationRecord(
            id: try row.decode("id"), callerName: try row.decode("caller_name"), phone: try row.decode("phone"),
            patientID: try row.decode("patient_id"), question: try row.decode("question"), answer: try row.decode("answer"),
            advice: try row.decode("advice"), callBackNeeded: try row.decode("call_back_needed"),
            appointmentNeeded: try row.decode("appointment_needed"), recordedBy: try row.decode("recorded_by"),
            recordedAt: try row.decode("recorded_at"))
    }
}
