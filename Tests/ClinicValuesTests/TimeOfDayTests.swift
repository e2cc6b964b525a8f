import ClinicValues
import Testing

@Suite("Time of day")
struct TimeOfDayTests {
    @Test func parsesHHMMUpToTheEndOfTheDay() {
        #expect(TimeOfDay("09:30")?.minutes == 570)
        #expect(TimeOfDay("00:00")?.minutes == 0)
        #expect(TimeOfDay("24:00")?.minutes == 1440)
        for invalid in ["9:30", "09:60", "24:01", "25:00", "0930", "09:30:00", "", "ab:cd"] {
            #expect(TimeOfDay(invalid) == nil, "\(invalid)")
        }
        #expect(TimeOfDay(minutes: 570).description == "09:30")
    }
}
