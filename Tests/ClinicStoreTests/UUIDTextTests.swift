import ClinicStore
import ClinicTestSupport
import Foundation
import Testing

@Suite("UUID text")
struct UUIDTextTests {
    @Test func roundTripsAndAgreesWithFoundation() {
        for _ in 0..<200 {
            let id = UUID()
            let text = UUIDText.lowercase(id)
            #expect(text == id.uuidString.lowercased())
            #expect(UUIDText.parse(text) == id)
            #expect(UUIDText.parse(id.uuidString) == id)
        }
        #expect(UUIDText.parse("00000000-0000-0000-0000-000000000000") == UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        #expect(UUIDText.parse("FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF")?.uuidString == "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")
    }

    @Test func refusesWhatFoundationRefuses() {
        let bad = ["", "not-a-uuid", "123e4567-e89b-12d3-a456-42661417400",   // one digit short
                   "123e4567-e89b-12d3-a456-4266141740000",                        // one too many
                   "123e4567e89b-12d3-a456-4266141740000",                         // hyphen moved
                   "123e4567-e89b-12d3-a456-42661417400g",                         // not hex
                   " 123e4567-e89b-12d3-a456-426614174000",
                   "{123e4567-e89b-12d3-a456-426614174000}", "123e4567-e89b-12d3-a456_426614174000"]
        for text in bad {
            #expect(UUIDText.parse(text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "Foundation disagrees on \(text)")
        }
        #expect(UUIDText.parse("123e4567-e89b-12d3-a456-426614174000") == UUID(uuidString: "123e4567-e89b-12d3-a456-426614174000"))
    }

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
