import CPostgres

/// Owns one libpq result; rows share it and read values lazily. Used on one thread, like its connection.
final class QueryResult {
    let handle: OpaquePointer
    let rowCount: Int
    let columnNames: [String]

    init(handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        let columns = Int(PQnfields(handle))
        var names: [String] = []
        names.reserveCapacity(columns)
        for column in 0..<columns {
            names.append(PQfname(handle, Int32(column)).map { String(cString: $0) } ?? "")
        }
        columnNames = names
    }

    deinit { PQclear(handle) }

    /// Where the last look-up ended: columns are mostly decoded in order, so the next name is usually next.
    private var nextGuess = 0

    func columnIndex(_ name: String) -> Int? {
        if nextGuess < columnNames.count, columnNames[nextGuess] == name {
            defer { nextGuess += 1 }
            return nextGuess
        }
        guard let found = columnNames.firstIndex(of: name) else { return nil }
        nextGuess = found + 1
        return found
    }
}

/// One result row; decode columns by name or by position.
public struct Row {
    let result: QueryResult
    let index: Int32

    /// The column names, in order.
    public var columns: [String] { result.columnNames }

    /// Decodes the named column.
    public func decode<T: SQLDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let position = result.columnIndex(column) else {
            throw StoreError(kind: .decoding, message: "no column named \(column)")
        }
        return try decodeValue(at: position, name: column, as: type)
    }

    /// Decodes the column at a zero-based position.
    public func decode<T: SQLDecodable>(_ position: Int, as type: T.Type = T.self) throws -> T {
        guard position >= 0, position < result.columnNames.count else {
            throw StoreError(kind: .decoding, message: "no column at position \(position)")
        }
        return try decodeValue(at: position, name: result.columnNames[position], as: type)
    }

    /// Whether the column at `position` is NULL.
    public func isNull(_ position: Int) -> Bool {
        guard position >= 0, position < result.columnNames.count else { return true }
        return PQgetisnull(result.handle, index, Int32(position)) == 1
    }

    private func decodeValue<T: SQLDecodable>(at position: Int, name: String, as type: T.Type) throws -> T {
        let column = Int32(position)
        do {
            if PQgetisnull(result.handle, index, column) == 1 {
                return try T(sqlBytes: nil)
            }
            let length = Int(PQgetlength(result.handle, index, column))
            guard let value = PQgetvalue(result.handle, index, column) else { return try T(sqlBytes: nil) }
            return try T(sqlBytes: UnsafeRawBufferPointer(start: value, count: length))
        } catch SQLDecodingFailure.unexpectedNull {
            throw StoreError(kind: .decoding, message: "column \(name) is NULL but \(T.self) is not optional")
        } catch SQLDecodingFailure.invalid(let reason) {
            throw StoreError(kind: .decoding, message: "column \(name) as \(T.self): \(reason)")
        }
    }
}
