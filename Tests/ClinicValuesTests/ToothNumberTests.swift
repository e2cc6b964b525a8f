import ClinicValues
import Testing

@Suite("FDI tooth numbers")
struct ToothNumberTests {
    @Test func permanentAndPrimaryTeethAreNumberedByQuadrantAndPosition() {
        #expect(ToothNumber.all.count == 32 + 20)
        #expect(ToothNumber(11) != nil && ToothNumber(48) != nil && ToothNumber(36) != nil)
        #expect(ToothNumber(51)?.isPrimary == true && ToothNumber(85)?.isPrimary == true)
        #expect(ToothNumber(18)?.isPrimary == false)
        for invalid in [0, 9, 10, 19, 20, 49, 50, 56, 86, 90, 99, 100, -11] {
            #expect(ToothNumber(invalid) == nil, "\(invalid)")
        }
    }
}
