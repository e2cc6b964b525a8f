import ClinicBus
import ClinicProto
import Foundation
import Testing

/// A handler calling another service through its request context, over a real broker.
@Suite("Calls from a handler to another service")
struct RequestContextTests {
    /// A started pool of `threads` serving `method` with `handler`.
    static func pool(_ bus: TestBus, _ method: Method<Clinic_Bus_V1_Event, Clinic_Bus_V1_Event>, threads: Int,
                     _ handler: @escaping @Sendable (RequestContext, Clinic_Bus_V1_Event) throws -> Clinic_Bus_V1_Event) throws -> WorkerPool {
        let pool = WorkerPool(configuration: WorkerConfiguration(brokerEndpoint: bus.endpoints.requests, service: method.busService,
                                                                 threads: threads, heartbeatInterval: TestBus.heartbeat),
                              logger: bus.logger) { _ in
            let routes = WorkerRoutes()
            routes.register(method, handler)
            return routes
        }
        try pool.start()
        return pool
    }

    /// Service B answers with what the call carried: caller system, subject, trace id and time left.
    static func reporter(_ bus: TestBus) throws -> WorkerPool {
        try pool(bus, TestBus.echoB, threads: 1) { context, request in
            if request.header.type == "missing" { throw RPCError.notFound("nothing here") }
            var response = request
            let left = Int(context.deadline.timeIntervalSinceNow * 1000)
            response.header.publisher = "\(context.header.caller.system)|\(context.header.caller.subject)|\(context.header.traceID)"
            response.header.seq = UInt64(max(0, left))
            return response
        }
    }

    /// Service A's handler calls B on behalf of its own request.
    static func relay(_ bus: TestBus) throws -> WorkerPool {
        try pool(bus, TestBus.echoA, threads: 2) { context, request in
            try context.call(TestBus.echoB, request, as: "clinic-a")
        }
    }

    @Test func theCallCarriesTheCallerTheTraceAndADeadlineInsideTheCallersOwn() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let b = try Self.reporter(bus)
        defer { b.stop() }
        let a = try Self.relay(bus)
        defer { a.stop() }
        let client = try bus.client()
        defer { client.close() }
        var caller = Clinic_Bus_V1_Caller()
        caller.system = "clinic-gateway"
        caller.subject = "desk-7"
        var request = Clinic_Bus_V1_Event()
        request.payload = Data("hello".utf8)
        let response = try await client.call(TestBus.echoA, request,
                                             options: CallOptions(timeout: .seconds(2), caller: caller, traceID: "trace-1"))
        #expect(response.header.publisher == "clinic-a|desk-7|trace-1")
        #expect(response.header.seq > 0 && response.header.seq < 1_900, "the callee's deadline lies inside the caller's, less a margin")
        #expect(response.payload == request.payload)

        // The callee's error comes back typed, through the relaying handler, to the first caller.
        request.header.type = "missing"
        let error = await #expect(throws: RPCError.self) { try await client.call(TestBus.echoA, request) }
        #expect(error?.code == .notFound)
    }

    @Test func withTooLittleTimeLeftTheCallIsNotMade() async throws {
        let bus = try TestBus()
        defer { bus.stop() }
        let a = try Self.relay(bus)
        defer { a.stop() }
        let client = try bus.client()
        defer { client.close() }
        // B is not even running: with 50 ms left, less than the margin, A answers at once rather than waiting.
        let started = ContinuousClock.now
        let error = await #expect(throws: RPCError.self) {
            try await client.call(TestBus.echoA, Clinic_Bus_V1_Event(), options: CallOptions(timeout: .milliseconds(50)))
        }
        #expect(error?.code == .deadlineExceeded)
        #expect(ContinuousClock.now - started < .seconds(1))
    }
}
