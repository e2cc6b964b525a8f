import ClinicProto
import Foundation

/// RFC 4180 CSV: rows of fields, a field quoted when it holds a comma, a quote or a line break, and a leading
/// character a spreadsheet would take for a formula defused.
public enum CSVText {
    /// The CSV text of `rows` (the first is the header), lines ending in CRLF.
    public static func render(_ rows: [[String]]) -> String {
        rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One field as CSV writes it.
    public static func field(_ value: String) -> String {
        // =, +, -, @ at the start make a spreadsheet evaluate the cell: a leading apostrophe keeps it text.
        let safe = value.first.map { "=+-@".contains($0) } == true && Int64(value) == nil ? "'" + value : value
        guard safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return safe }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `rows` as a CSV response body for the gateway to answer as it is.
    public static func body(_ rows: [[String]]) -> Clinic_Api_V1_HttpBody {
        var body = Clinic_Api_V1_HttpBody()
        body.contentType = "text/csv; charset=utf-8"
        body.data = Data(render(rows).utf8)
        return body
    }
}
