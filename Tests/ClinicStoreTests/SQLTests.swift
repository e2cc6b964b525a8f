import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

@Suite("SQL binding and value coding")
struct SQLTests {
    @Test("interpolated values become numbered parameters, raw and identifiers are spliced")
    func placeholders() {
        let id = 7
        let name = "Wang"
        let sql: SQL = "SELECT * FROM \(identifier: "my\"table") WHERE id = \(id) AND name = \(name) \(raw: "LIMIT 1")"
        #expect(sql.text == "SELECT * FROM \"my\"\"table\" WHERE id = $1 AND name = $2 LIMIT 1")
        #expect(sql.parameterCount == 2)
    }

    @Test("an injection attempt is stored as text and the table survives")
    func injectionIsStoredAsText() async throws {
        try await onThread {
            let db = try ServiceDatabase.make("sql_injection")
            let connection = try db.connect()
            try connection.execute(script: "CREATE TABLE x (name text NOT NULL)")
            let hostile = "'); DROP TABLE x; --"
            #expect(try connection.execute("INSERT INTO x (name) VALUES (\(hostile))") == 1)
            let rows = try connection.query("SELECT name FROM x WHERE name = \(hostile)")
            #expect(rows.count == 1)
            #expect(try rows[0].decode("name", as: String.self) == hostile)
            #expect(try connection.query("SELECT count(*) AS n FROM x")[0].decode("n", as: Int.self) == 1)
        }
    }

    @Test("every supported type round-trips through a table, including NULLs")
    func roundTrips() async throws {
        try await onThread {
            let db = try ServiceDatabase.make("sql_types")
            let connection = try db.connect()
            try connection.execute(script: """
                CREATE TABLE t (
                    id serial PRIMARY KEY, s text, i bigint, i32 integer, i64 bigint, b boolean, d double precision,
                    u uuid, at timestamptz, tags text[], bytes bytea)
                """)
            let uuid = UUID()
            let date = Date(timeIntervalSince1970: 1_714_555_800.123456)
            let tags = ["a,b", "say \"hi\"", "{braces}", "back\\slash", "", "NULL", " spaced ", "张伟", "x}y{z"]
            let bytes: [UInt8] = [0, 1, 2, 0x7F, 0x80, 0xFF, 92, 120]
            try connection.execute("""
                INSERT INTO t (s, i, i32, i64, b, d, u, at, tags, bytes)
                VALUES (\("张伟 O'Brien"), \(Int.max), \(Int32.min), \(Int64.min), \(true), \(3.25e-7), \(uuid),
                        \(date), \(tags), \(bytes))
                """)
            try connection.execute("""
                INSERT INTO t (s, i, i32, i64, b, d, u, at, tags, bytes)
                VALUES (\(String?.none), \(Int?.none), \(Int32?.none), \(Int64?.none), \(Bool?.none),
                        \(Double?.none), \(UUID?.none), \(Date?.none), \([String]?.none), \([UInt8]?.none))
                """)
            let rows = try connection.query("SELECT * FROM t ORDER BY id")
            #expect(rows.count == 2)
            let row = rows[0]
            #expect(try row.decode("s", as: String.self) == "张伟 O'Brien")
            #expect(try row.decode("i", as: Int.self) == Int.max)
            #expect(try row.decode("i32", as: Int32.self) == Int32.min)
            #expect(try row.decode("i64", as: Int64.self) == Int64.min)
            #expect(try row.decode("b", as: Bool.self) == true)
            #expect(try row.decode("d", as: Double.self) == 3.25e-7)
            #expect(try row.decode("u", as: UUID.self) == uuid)
            let readDate = try row.decode("at", as: Date.self)
            #expect((readDate.timeIntervalSince1970 * 1_000_000).rounded() == 1_714_555_800_123_456)
            #expect(try row.decode("tags", as: [String].self) == tags)
            #expect(try row.decode("bytes", as: [UInt8].self) == bytes)
            #expect(try row.decode(1, as: String.self) == "张伟 O'Brien")

            let empty = rows[1]
            #expect(try empty.decode("s", as: String?.self) == nil)
            #expect(try empty.decode("i", as: Int?.self) == nil)
            #expect(try empty.decode("i32", as: Int32?.self) == nil)
            #expect(try empty.decode("i64", as: Int64?.self) == nil)
            #expect(try empty.decode("b", as: Bool?.self) == nil)
            #expect(try empty.decode("d", as: Double?.self) == nil)
            #expect(try empty.decode("u", as: UUID?.self) == nil)
            #expect(try empty.decode("at", as: Date?.self) == nil)
            #expect(try empty.decode("tags", as: [String]?.self) == nil)
            #expect(try empty.decode("bytes", as: [UInt8]?.self) == nil)
            #expect(empty.isNull(1))
            // A NULL read as a non-optional is a decoding error naming the column, not a crash.
            let error = #expect(throws: StoreError.self) { try empty.decode("s", as: String.self) }
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains("s") == true)
            #expect(throws: StoreError.self) { try empty.decode("missing", as: String?.self) }
        }
    }

    @Test("timestamps keep microseconds and are UTC on the server, before and after 1970")
    func timestamps() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("sql_time").connect()
            let date = Date(timeIntervalSince1970: 1_714_555_800.123456)
            let text = try connection.query(
                "SELECT to_char(\(date) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS t")[0].decode("t", as: String.self)
            #expect(text == "2024-05-01 09:30:00.123456")
            let old = Date(timeIntervalSince1970: -299_999_999.000001)
            let back = try connection.query("SELECT \(old) AS t")[0].decode("t", as: Date.self)
            #expect((back.timeIntervalSince1970 * 1_000_000).rounded() == -299_999_999_000_001)
            let serverNow = try connection.query("SELECT now() AS t")[0].decode("t", as: Date.self)
            #expect(abs(serverNow.timeIntervalSinceNow) < 60)
        }
    }

    @Test("server-made arrays decode; NULL elements are rejected")
    func serverArrays() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("sql_arrays").connect()
            let row = try connection.query("""
                SELECT ARRAY['plain', 'with space', 'q"uote', 'b\\s', ''] AS a, '{}'::text[] AS e,
                       ARRAY['x', NULL] AS n, '[0:1]={a,b}'::text[] AS shifted
                """)[0]
            #expect(try row.decode("a", as: [String].self) == ["plain", "with space", "q\"uote", "b\\s", ""])
            #expect(try row.decode("e", as: [String].self) == [])
            #expect(try row.decode("shifted", as: [String].self) == ["a", "b"])
            #expect(throws: StoreError.self) { try row.decode("n", as: [String].self) }
        }
    }

    @Test("special doubles and booleans round-trip")
    func specialValues() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("sql_special").connect()
            let row = try connection.query("""
                SELECT \(Double.infinity) AS inf, \(-Double.infinity) AS ninf, \(Double.nan) AS nan,
                       \(0.1) AS tenth, \(false) AS f, \(Int32.max) AS big
                """)[0]
            #expect(try row.decode("inf", as: Double.self) == .infinity)
            #expect(try row.decode("ninf", as: Double.self) == -.infinity)
            #expect(try row.decode("nan", as: Double.self).isNaN)
            #expect(try row.decode("tenth", as: Double.self) == 0.1)
            #expect(try row.decode("f", as: Bool.self) == false)
            #expect(try row.decode("big", as: Int32.self) == Int32.max)
            #expect(throws: StoreError.self) { try row.decode("inf", as: Int.self) }
        }
    }

    @Test("a NUL character in a parameter is refused instead of silently truncated")
    func nulParameter() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("sql_nul").connect()
            let error = #expect(throws: StoreError.self) { try connection.query("SELECT \("a\u{0}b") AS v") }
            #expect(error?.kind == .query)
            #expect(try connection.query("SELECT \("still fine") AS v")[0].decode("v", as: String.self) == "still fine")
        }
    }

    @Test("errors keep data values out of their description")
    func errorsHideValues() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("sql_errors").connect()
            try connection.execute(script: "CREATE TABLE p (phone text CONSTRAINT p_phone_key UNIQUE)")
            try connection.execute("INSERT INTO p VALUES (\("13800138000"))")
            let duplicate = #expect(throws: StoreError.self) {
                try connection.execute("INSERT INTO p VALUES (\("13800138000"))")
            }
            #expect(duplicate?.isUniqueViolation == true)
            #expect(duplicate?.kind == .constraintViolation)
            #expect(duplicate?.constraint == "p_phone_key")
            #expect(duplicate?.detail?.contains("13800138000") == true)
            #expect(duplicate.map { String(describing: $0) }?.contains("13800138000") == false)

            let badInput = #expect(throws: StoreError.self) { try connection.query("SELECT \("13800138000")::uuid") }
            #expect(badInput?.sqlState == "22P02")
            #expect(badInput.map { String(describing: $0) }?.contains("13800138000") == false)
        }
    }
}
