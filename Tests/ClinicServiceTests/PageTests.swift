import ClinicBus
import ClinicProto
import ClinicService
import Testing

@Suite("Page tokens")
struct PageTests {
    @Test func aTokenAsksForTheNextPageAndAForeignOneIsRefused() throws {
        var request = Clinic_Common_V1_PageRequest()
        let first = try Page(request)
        #expect(first.size == Page.defaultSize && first.offset == 0)
        request.pageSize = 7
        request.pageToken = try Page(request).next.token
        let second = try Page(request)
        #expect(second.size == 7 && second.offset == 7)
        for foreign in ["not a token", "bzotMQ==", "eDo1"] {
            request.pageToken = foreign
            let error = #expect(throws: RPCError.self) { try Page(request) }
            #expect(error?.violations.first?.field == "page.pageToken")
        }
    }
}
