@testable import ClinicBus
import Testing

@Suite struct PeerPermissionsTests {
    static let permissions: PeerPermissions = {
        let keys = try! AuthorizedKeys(entries: [
            .init(name: "reception", publicKey: try! CurveKeyPair.generate().publicKey),
            .init(name: "imaging", publicKey: try! CurveKeyPair.generate().publicKey, services: ["clinic.xray.v1"]),
            .init(name: "gateway", publicKey: try! CurveKeyPair.generate().publicKey),
        ])
        return PeerPermissions(keys)
    }()

    @Test func aPeerServesTheServiceNamedAfterItAndTheOnesListedForIt() {
        let p = Self.permissions
        #expect(p.mayServe("reception", service: "clinic.reception.v1"))
        #expect(!p.mayServe("gateway", service: "clinic.reception.v1"))
        #expect(p.mayServe("imaging", service: "clinic.imaging.v1"))
        #expect(p.mayServe("imaging", service: "clinic.xray.v1"))
        #expect(!p.mayServe("reception", service: "clinic.xray.v1"))
        // A service of another shape only by listing; an unlisted name serves nothing.
        #expect(!p.mayServe("reception", service: "clinic.reception.v1.Reception"))
        #expect(!p.mayServe("scheduling", service: "clinic.scheduling.v1"))
        #expect(PeerPermissions.owner(of: "clinic.reception.v1") == "reception")
        #expect(PeerPermissions.owner(of: "reception") == nil)
    }

    @Test func aPeerPublishesOnlyTopicsOfItsServices() {
        let p = Self.permissions
        #expect(p.mayPublish("reception", topic: "clinic.reception.PatientRegistered"))
        #expect(!p.mayPublish("reception", topic: "clinic.billing.BillIssued"))
        #expect(!p.mayPublish("reception", topic: "clinic.reception."))
        #expect(!p.mayPublish("reception", topic: "clinic.reception"))
        #expect(p.mayPublish("imaging", topic: "clinic.xray.ImageTaken"))
        #expect(!p.mayPublish("stranger", topic: "clinic.stranger.Hello"))
    }

    @Test func onlyListedNamesAreAdmitted() {
        #expect(Self.permissions.isAdmitted(Array("gateway".utf8)))
        #expect(!Self.permissions.isAdmitted(Array("gate".utf8)))
        #expect(!Self.permissions.isAdmitted([]))
        #expect(Self.permissions.peerCount == 3)
    }
}
