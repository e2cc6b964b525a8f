import ClinicValues

/// One data row of an imported fee schedule, checked.
struct FeeScheduleRow: Equatable, Sendable {
    /// The row's line in the file (1 is the header).
    var line: Int
    var code: String
    var name: String
    var category: FeeCategory
    var unitPriceFen: Int64
    var activeFrom: ClinicDate
    var activeTo: ClinicDate?
}

/// Reads a fee schedule in CSV: the header `code,name,category,unit_price_fen,active_from[,active_to]`, then one
/// item price per line. Fields may be double-quoted (a quote inside doubled). Every bad line is reported, each as
/// `line N: …`, so the whole file can be fixed at once; nothing is taken from a file with any bad line.
enum FeeScheduleCSV {
    /// The columns, in order; the last is optional.
    static let columns = ["code", "name", "category", "unit_price_fen", "active_from", "active_to"]
    /// Most rows one import takes.
    static let maxRows = 10_000
    /// Highest unit price accepted, as the contract's field rule (one million yuan).
    static let maxUnitPriceFen: Int64 = 100_000_000

    /// The rows of `text`, or every problem found, each naming its line.
    static func parse(_ text: String) -> Result<[FeeScheduleRow], Problems> {
        var problems: [String] = []
        var rows: [FeeScheduleRow] = []
        var seen: [String: Int] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        guard let headerIndex = lines.firstIndex(where: { !$0.trimmingWhitespace().isEmpty }) else {
            return .failure(Problems(["line 1: the header `\(columns.joined(separator: ","))` is missing"]))
        }
        let header = (try? fields(of: lines[headerIndex]))?.map { $0.trimmingWhitespace().lowercased() } ?? []
        guard header == columns || header == Array(columns.dropLast()) else {
            return .failure(Problems(["line \(headerIndex + 1): the header must be `\(columns.joined(separator: ","))` (active_to optional)"]))
        }
        for (index, raw) in lines.enumerated() where index > headerIndex && !raw.trimmingWhitespace().isEmpty {
            let line = index + 1
            guard rows.count + problems.count < maxRows else {
                problems.append("line \(line): at most \(maxRows) rows per import")
                break
            }
            switch row(raw, line: line, columns: header.count) {
            case .failure(let found): problems.append(contentsOf: found.messages.map { "line \(line): \($0)" })
            case .success(let row):
                let key = "\(row.code)\u{1F}\(row.activeFrom)"
                if let earlier = seen[key] {
                    problems.append("line \(line): \(row.code) from \(row.activeFrom) is already on line \(earlier)")
                } else {
                    seen[key] = line
                    rows.append(row)
                }
            }
        }
        if rows.isEmpty && problems.isEmpty { problems.append("line \(lines.count): no rows after the header") }
        return problems.isEmpty ? .success(rows) : .failure(Problems(problems))
    }

    /// One data line checked field by field; every problem of the line is reported.
    private static func row(_ raw: String, line: Int, columns count: Int) -> Result<FeeScheduleRow, Problems> {
        guard let values = try? fields(of: raw) else { return .failure(Problems(["an unterminated quote"])) }
        guard values.count == count || (values.count == columns.count - 1 && count == columns.count) else {
            return .failure(Problems(["\(values.count) fields where the header has \(count)"]))
        }
        var problems: [String] = []
        let code = values[0].trimmingWhitespace()
        if !FeeCode.isValid(code) {
            problems.append("code must be 1 to \(FeeCode.maxLength) letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        let name = values[1].trimmingWhitespace()
        if name.isEmpty || name.count > 100 { problems.append("name must be 1 to 100 characters") }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            problems.append("name must not contain control characters")
        }
        let category = FeeCategory(rawValue: values[2].trimmingWhitespace().lowercased())
        if category == nil { problems.append("category must be one of \(FeeCategory.allCases.map(\.rawValue).joined(separator: ", "))") }
        let priceText = values[3].trimmingWhitespace()
        let price = priceText.allSatisfy(\.isASCIIDigit) ? Int64(priceText) : nil
        if price == nil {
            problems.append("unit_price_fen must be a whole number of fen")
        } else if let price, price > maxUnitPriceFen {
            problems.append("unit_price_fen must be at most \(maxUnitPriceFen)")
        }
        let from = ClinicDate(iso: values[4].trimmingWhitespace())
        if from == nil { problems.append("active_from must be a date YYYY-MM-DD") }
        let toText = values.count > 5 ? values[5].trimmingWhitespace() : ""
        let to = toText.isEmpty ? nil : ClinicDate(iso: toText)
        if !toText.isEmpty && to == nil { problems.append("active_to must be a date YYYY-MM-DD or empty") }
        if let from, let to, to < from { problems.append("active_to must not be before active_from") }
        guard problems.isEmpty, let category, let price, let from else { return .failure(Problems(problems)) }
        return .success(FeeScheduleRow(line: line, code: code, name: name, category: category, unitPriceFen: price,
                                       activeFrom: from, activeTo: to))
    }

    /// The fields of one CSV line (RFC 4180 quoting, within the line).
    static func fields(of line: String) throws(UnterminatedQuote) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = iterator.next()
                    if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                } else {
                    current.append(character)
                }
            } else if character == "\"" && current.isEmpty {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !quoted else { throw UnterminatedQuote() }
        fields.append(current)
        return fields
    }

    /// Every problem found: of a file, each starting `line N: `; of one line, without it.
    struct Problems: Error, Equatable {
        let messages: [String]
        /// Wraps the messages.
        init(_ messages: [String]) { self.messages = messages }
    }

    /// A quoted field that never closes.
    struct UnterminatedQuote: Error {}
}
