import ClinicBus
import ClinicProto
import ClinicService
import ClinicTestSupport
import Foundation
import Logging
import Testing

/// The coverage check services use: every rpc of the .proto service has a handler, and nothing else does.
func expectCoverage(_ routes: WorkerRoutes, of allMethods: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    let missing = Set(allMethods).subtracting(routes.registeredMethods)
    let extra = routes.registeredMethods.subtracting(allMethods)
    #expect(missing.isEmpty, "methods without a handler: \(missing.sorted())", sourceLocation: sourceLocation)
    #expect(extra.isEmpty, "handlers for unknown methods: \(extra.sorted())", sourceLocation: sourceLocation)
}

struct DomainFailure: RPCErrorConvertible {
    var rpcError: RPCError { .failedPrecondition("chair is out of service") }
}

struct HiddenFailure: Error {}

@Suite struct WorkerRoutesTests {
    let logger = Logger(label: "test")

    func header(_ method: String, deadline: Int64 = 0) -> Clinic_Bus_V1_RequestHeader {
        var header = Clinic_Bus_V1_RequestHeader()
        header.method = method
        header.requestID = "req-1"
        header.deadlineUnixMs = deadline
        return header
    }

    @Test func withoutAGateOnlyPublicRpcsAreServed() throws {
        let routes = WorkerRoutes()
        routes.register(Clinic_Reception_V1_Events.replay) { _, _ in Clinic_Bus_V1_ReplayResponse() }
        routes.register(Clinic_Staff_V1_Staff.listSigningKeys) { _, _ in Clinic_Staff_V1_ListSigningKeysResponse() }
        let refused = routes.handle(header: header(Clinic_Reception_V1_Events.replay.fullName), payload: [], logger: logger)
        #expect(refused.header.code == .unauthenticated)
        let open = routes.handle(header: header(Clinic_Staff_V1_Staff.listSigningKeys.fullName), payload: [], logger: logger)
        #expect(open.header.code == .ok)
    }

    @Test func theAccessRuleIsCheckedBeforeTheRequestIsLookedAt() throws {
        let routes = WorkerRoutes()
        routes.gate = StaffGate(verifier: StaffGate.forTests.verifier, peers: PeerRoles())
        routes.register(Clinic_Reception_V1_Reception.registerPatient) { _, _ in Clinic_Reception_V1_Patient() }
        routes.register(Clinic_Reception_V1_Events.replay) { _, _ in Clinic_Bus_V1_ReplayResponse() }
        // No token: refused as unauthenticated, though the payload would not even decode.
        var anonymous = header(Clinic_Reception_V1_Reception.registerPatient.fullName)
        anonymous.caller.subject = "director-1"
        anonymous.caller.role = "director"
        let unauthenticated = routes.handle(header: anonymous, payload: [0xFF], logger: logger)
        #expect(unauthenticated.header.code == .unauthenticated)
        #expect(unauthenticated.header.violations.isEmpty)
        // A system-only rpc from a bus identity the configuration does not call a system.
        var imaging = header(Clinic_Reception_V1_Events.replay.fullName)
        imaging.peer = "imaging"
        let denied = routes.handle(header: imaging, payload: [], logger: logger)
        #expect(denied.header.code == .permissionDenied)
        #expect(denied.header.message == "this is for the clinic's own systems only")
    }

    @Test func aBusIdentityGetsTheRolesItsConfigurationGrantsAndNoMore() throws {
        let peers = try PeerRoles.parse(["imaging=doctor"])
        let gate = StaffGate(verifier: StaffGate.forTests.verifier, peers: PeerRoles.standard(plainBus: false, extra: peers))
        var header = header(Clinic_Reception_V1_Reception.getPatient.fullName)
        header.peer = "imaging"
        let caller = try gate.admit(header, to: Clinic_Reception_V1_Reception.getPatient.access)
        #expect(caller.roles == [.doctor] && !caller.isSystem && caller.actor == "system:imaging")
        #expect(throws: RPCError.self) { try gate.admit(header, to: Clinic_Reception_V1_Reception.registerPatient.access) }
        #expect(throws: RPCError.self) { try gate.admit(header, to: Clinic_Reception_V1_Events.replay.access) }
        header.peer = "reception"
        #expect(try gate.admit(header, to: Clinic_Reception_V1_Events.replay.access).isSystem)
        header.peer = ""
        #expect(throws: RPCError.self) { try gate.admit(header, to: Clinic_Reception_V1_Events.replay.access) }
        #expect(throws: PeerRolesError.self) { try PeerRoles.parse(["imaging=radiologist"]) }
    }

    @Test func coverageCheckPassesWhenAllMethodsAreRegistered() {
        let routes = WorkerRoutes()
        routes.gate = StaffGate.forTests
        routes.register(Clinic_Reception_V1_Events.replay) { _, _ in Clinic_Bus_V1_ReplayResponse() }
        expectCoverage(routes, of: Clinic_Reception_V1_Events.allMethods)
        #expect(routes.registeredMethods.isSuperset(of: Clinic_Reception_V1_Reception.allMethods) == false)
    }

    @Test func dispatchesDecodesAndEncodes() throws {
        let routes = WorkerRoutes()
        routes.gate = StaffGate.forTests
        routes.register(Clinic_Reception_V1_Events.replay) { context, request in
            var response = Clinic_Bus_V1_ReplayResponse()
            response.latestSeq = request.afterSeq + 1
            #expect(context.requestID == "req-1")
            return response
        }
        var request = Clinic_Bus_V1_ReplayRequest()
        request.afterSeq = 41
        let reply = routes.handle(header: header(Clinic_Reception_V1_Events.replay.fullName),
                                  payload: try request.serializedBytes(), logger: logger)
        #expect(reply.header.code == .ok)
        #expect(reply.header.requestID == "req-1")
        #expect(try Clinic_Bus_V1_ReplayResponse(serializedBytes: reply.payload).latestSeq == 42)
    }

    @Test func aBatchHandlerGetsLiveDecodableRequestsTogetherAndAnswersEachInOrder() throws {
        let routes = WorkerRoutes()
        routes.gate = StaffGate.forTests
        let method = Clinic_Reception_V1_Events.replay
        var batches: [[UInt64]] = []
        routes.registerBatch(method) { calls in
            batches.append(calls.map { $0.1.afterSeq })
            return calls.map { context, request in
                if request.afterSeq == 13 { return .failure(RPCError.notFound("no event 13")) }
                var response = Clinic_Bus_V1_ReplayResponse()
                response.latestSeq = request.afterSeq * 10
                #expect(context.requestID == "req-\(request.afterSeq)")
                return .success(response)
            }
        }
        #expect(routes.servesInBatches(method.fullName))
        func incoming(_ seq: UInt64, deadline: Int64 = 0) throws -> WorkerRoutes.Incoming {
            var head = header(method.fullName, deadline: deadline)
            head.requestID = "req-\(seq)"
            var request = Clinic_Bus_V1_ReplayRequest()
            request.afterSeq = seq
            return (head, try request.serializedBytes())
        }
        var garbled = try incoming(99)
        garbled.payload = [0xFF]
        let replies = routes.handle([try incoming(1), try incoming(2, deadline: 1), garbled, try incoming(13), try incoming(4)],
                                    logger: logger)
        // The expired request and the one that does not decode never reach the handler.
        #expect(batches == [[1, 13, 4]])
        #expect(replies.map(\.header.requestID) == ["req-1", "req-2", "req-99", "req-13", "req-4"])
        #expect(replies.map(\.header.code) == [.ok, .deadlineExceeded, .invalidArgument, .notFound, .ok])
        #expect(try Clinic_Bus_V1_ReplayResponse(serializedBytes: replies[4].payload).latestSeq == 40)
    }

    @Test func batchAnswersKeepEachItemsOwnFailureAndFailThePreparedOnesWhenTheBatchStepThrows() {
        struct Odd: Error {}
        struct Down: Error {}
        let served = BatchAnswers.answer([1, 2, 3, 4], prepare: { item -> Int in
            if item % 2 == 1 { throw Odd() }
            return item * 10
        }, together: { work in work.map { Result<Int, any Error>.success($0 + 1) } })
        #expect(served.map { try? $0.get() } == [nil, 21, nil, 41])
        #expect(served.map { if case .failure(let error) = $0 { error is Odd } else { false } } == [true, false, true, false])

        let down = BatchAnswers.answer([1, 2, 4], prepare: { item -> Int in
            if item % 2 == 1 { throw Odd() }
            return item
        }, together: { (_: [Int]) -> [Result<Int, any Error>] in throw Down() })
        #expect(down.map { if case .failure(let error) = $0 { error is Odd } else { false } } == [true, false, false])
        #expect(down.map { if case .failure(let error) = $0 { error is Down } else { false } } == [false, true, true])
    }

    @Test func aBatchHandlerThatLosesAnAnswerFailsTheWholeBatchAsInternal() throws {
        let routes = WorkerRoutes()
        routes.gate = StaffGate.forTests
        let method = Clinic_Reception_V1_Events.replay
        routes.registerBatch(method) { calls in calls.dropLast().map { _ in .success(Clinic_Bus_V1_ReplayResponse()) } }
        let payload: [UInt8] = try Clinic_Bus_V1_ReplayRequest().serializedBytes()
        let replies = routes.handle([(header(method.fullName), payload), (header(method.fullName), payload)], logger: logger)
        #expect(replies.map(\.header.code) == [.internal, .internal])
    }

    @Test func mapsFailuresToStatusCodes() {
        let routes = WorkerRoutes()
        routes.gate = StaffGate.forTests
        let method = Clinic_Reception_V1_Events.replay
        routes.register(method) { _, request in
            switch request.afterSeq {
            case 1: throw RPCError.notFound("no such thing")
            case 2: throw DomainFailure()
            case 3: throw HiddenFailure()
            default: return Clinic_Bus_V1_ReplayResponse()
            }
        }
        func code(_ seq: UInt64) -> (StatusCode, String) {
            var request = Clinic_Bus_V1_ReplayRequest()
            request.afterSeq = seq
            let reply = routes.handle(header: header(method.fullName), payload: (try? request.serializedBytes()) ?? [], logger: logger)
            return (reply.header.code, reply.header.message)
        }
        #expect(code(1).0 == .notFound)
        #expect(code(2).0 == .failedPrecondition)
        #expect(code(3) == (.internal, "internal error"))
        #expect(routes.handle(header: header("clinic.x.v1.X/Nope"), payload: [], logger: logger).header.code == .unimplemented)
        #expect(routes.handle(header: header(method.fullName), payload: [0xff, 0xff, 0xff], logger: logger).header.code == .invalidArgument)
    }

    @Test func expiredDeadlineSkipsTheHandler() {
        let routes = WorkerRoutes()
        routes.gate = StaffGate.forTests
        nonisolated(unsafe) var ran = false
        routes.register(Clinic_Reception_V1_Events.replay) { _, _ in
            ran = true
            return Clinic_Bus_V1_ReplayResponse()
        }
        let past = Int64(Date().timeIntervalSince1970 * 1000) - 10
        let reply = routes.handle(header: header(Clinic_Reception_V1_Events.replay.fullName, deadline: past), payload: [], logger: logger)
        #expect(reply.header.code == .deadlineExceeded)
        #expect(!ran)
    }
}
