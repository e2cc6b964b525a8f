import ClinicValues
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
}
