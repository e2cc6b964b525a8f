import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

@Suite("UUIDs in SQL")
struct SQLEncodableTests {
    @Test func idsAndIdArraysBindAndDecode() async throws {
        try await onThread {
            let connection = try ServiceDatabase.make("uuid_text").connect()
            let ids = (0..<3).map { _ in UUID() }
            let row = try connection.query("""
                SELECT \(ids[0]) = \(ids[0].uuidString)::uuid AS same, \(ids)::uuid[] = \(ids.map(\.uuidString))::uuid[] AS arrays,
                       (\(ids))[3] AS third, cardinality(\([UUID]())) AS none
                """)[0]
            #expect(try row.decode("same", as: Bool.self))
            #expect(try row.decode("arrays", as: Bool.self))
            #expect(try row.decode("third", as: UUID.self) == ids[2])
            #expect(try row.decode("none", as: Int.self) == 0)
        }
    }
}
