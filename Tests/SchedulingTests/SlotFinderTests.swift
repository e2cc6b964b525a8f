import ClinicService
import Foundation
import Testing
@testable import Scheduling

@Suite("Slot finder")
struct SlotFinderTests {
    let base = Date(timeIntervalSince1970: 1_800_000_000)

    func at(_ minutes: Int) -> Date { base.addingTimeInterval(TimeInterval(minutes * 60)) }
    func span(_ from: Int, _ to: Int) -> TimeSpan { TimeSpan(start: at(from), end: at(to)) }
    func minutes(_ dates: [Date]) -> [Int] { dates.map { Int($0.timeIntervalSince(base) / 60) } }

    @Test func freeDayGivesTheGridFromTheStart() {
        let slots = SlotFinder.freeSlots(working: [span(0, 120)], busy: [], duration: 1800, step: 900, earliest: at(0), limit: 10)
        #expect(minutes(slots) == [0, 15, 30, 45, 60, 75, 90])
    }

    @Test func busyTimeAndTheEndOfHoursAreRespected() {
        let slots = SlotFinder.freeSlots(working: [span(0, 120), span(180, 240)], busy: [span(20, 50)],
                                         duration: 1800, step: 900, earliest: at(0), limit: 10)
        // 0 would run into 20; the next grid point after 50 is 60.
        #expect(minutes(slots) == [60, 75, 90, 180, 195, 210])
    }

    @Test func earliestIsRoundedUpToTheGrid() {
        let slots = SlotFinder.freeSlots(working: [span(0, 120)], busy: [], duration: 1800, step: 900, earliest: at(16), limit: 2)
        #expect(minutes(slots) == [30, 45])
        // The grid is aligned to each working span's own start.
        let offGrid = SlotFinder.freeSlots(working: [span(10, 100)], busy: [], duration: 1800, step: 900, earliest: at(0), limit: 2)
        #expect(minutes(offGrid) == [10, 25])
    }

    @Test func overlappingBusySpansAndTheLimit() {
        let slots = SlotFinder.freeSlots(working: [span(0, 600)], busy: [span(0, 180), span(30, 60), span(200, 230)],
                                         duration: 1200, step: 600, earliest: at(0), limit: 3)
        #expect(minutes(slots) == [180, 230, 240])
        #expect(SlotFinder.freeSlots(working: [span(0, 20)], busy: [], duration: 1800, step: 900, earliest: at(0), limit: 3).isEmpty)
    }
}
