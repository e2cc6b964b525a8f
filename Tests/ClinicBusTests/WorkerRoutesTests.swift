import ClinicBus
import ClinicProto
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

    @Test func coverageCheckPassesWhenAllMethodsAreRegistered() {
        let routes = WorkerRoutes()
        routes.register(Clinic_Reception_V1_Events.replay) { _, _ in Clinic_Bus_V1_ReplayResponse() }
        expectCoverage(routes, of: Clinic_Reception_V1_Events.allMethods)
        #expect(routes.registeredMethods.isSuperset(of: Clinic_Reception_V1_Reception.allMethods) == false)
    }

    @Test func dispatchesDecodesAndEncodes() throws {
        let routes = WorkerRoutes()
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

    @Test func mapsFailuresToStatusCodes() {
        let routes = WorkerRoutes()
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
