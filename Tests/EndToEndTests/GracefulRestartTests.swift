import ClinicBus
import ClinicProto
import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Two reception instances behind one broker; one is stopped with SIGTERM and started again while a client
/// writes. The client retries a write that comes back UNAVAILABLE (with the same idempotency key) within the
/// write's own deadline, as the README tells integrators to.
@Suite("Graceful restart under load", .serialized)
struct GracefulRestartTests {
    struct Tally: Sendable {
        var acknowledged: [String] = []
        var errors: [String] = []
        var retries = 0
    }

    /// The writers' shared tally.
    final class Counts: Sendable {
        let tally = Mutex(Tally())
        func withLock<T>(_ body: (inout Tally) -> T) -> T { tally.withLock { body(&$0) } }
    }

    @Test("restarting one of two reception instances under load: no error the client sees, no write lost")
    func restartOneOfTwoInstances() async throws {
        let database = try TestDatabase.shared().makeService(prefix: "e2e_restart")
        let stack = try StackProcesses()
        defer { _ = stack.stopAll() }
        try stack.launch(Stack.broker, ["--endpoint", stack.bus, "--events-in", stack.eventsIn, "--events-out", stack.eventsOut,
                                        "--heartbeat-ms", "250"] + stack.brokerSecurityArguments)
        let reception = ["--bus", stack.bus, "--events-in", stack.eventsIn, "--events-out", stack.eventsOut,
                         "--database-url", database.url, "--workers", "2", "--heartbeat-ms", "250"]
            + stack.peerSecurityArguments("reception")
        // Staff, for the writers' token (reception checks it itself).
        try stack.launchStaff()
        try stack.launch("clinic-reception", reception, instance: "a")
        try stack.launch("clinic-reception", reception, instance: "b")
        let quiet = { () -> Logger in
            var logger = Logger(label: "e2e.restart")
            logger.logLevel = .critical
            return logger
        }()
        let client = try BusClient(endpoint: stack.bus, security: try stack.clientSecurity(), logger: quiet)
        defer { client.close() }
        let ready = Date().addingTimeInterval(20)
        while await !client.serviceAvailable("clinic.reception.v1", timeout: .milliseconds(300)), Date() < ready {
            try await Task.sleep(for: .milliseconds(100))
        }
        let token = try await stack.busToken([.desk], client: client)

        let tally = Counts()
        let stopWriting = Date().addingTimeInterval(7)
        // Eight writers keep requests queued on both instances' workers while one of them stops.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    var n = 0
                    while Date() < stopWriting {
                        n += 1
                        var request = Clinic_Reception_V1_RegisterPatientRequest()
                        request.name = "重启\(writer)-\(n)"
                        request.birthDate = "1990-01-01"
                        request.phone = String(format: "15%d%08d", writer, n)
                        let key = "restart-\(writer)-\(n)"
                        let giveUp = Date().addingTimeInterval(8)
                        while true {
                            do {
                                let patient = try await client.call(Clinic_Reception_V1_Reception.registerPatient, request,
                                                                    options: CallOptions(timeout: .seconds(2), idempotencyKey: key, token: token))
                                tally.withLock { $0.acknowledged.append(patient.id) }
                                break
                            } catch let error as RPCError where [.unavailable, .deadlineExceeded].contains(error.code) && Date() < giveUp {
                                tally.withLock { $0.retries += 1 }
                                try await Task.sleep(for: .milliseconds(50))
                            } catch {
                                tally.withLock { $0.errors.append("\(error)") }
                                break
                            }
                        }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(2))
                let first = try #require(stack.process("clinic-reception#a"))
                first.terminate()  // SIGTERM
                first.waitUntilExit()
                #expect(first.terminationStatus == 0, "a stopped instance exits cleanly")
                try await Task.sleep(for: .seconds(1))
                try stack.launch("clinic-reception", reception, instance: "a-again")
            }
            try await group.waitForAll()
        }

        let result = tally.withLock { $0 }
        let stored = try await onThread {
            let db = try Connection(url: database.url, logger: quiet)
            defer { db.close() }
            return try db.query("SELECT id FROM patients").map { try $0.decode("id", as: UUID.self).lowercasedText }
        }
        let lost = Set(result.acknowledged).subtracting(stored)
        print("graceful restart: \(result.acknowledged.count) writes acknowledged, \(result.retries) retries, "
              + "\(result.errors.count) errors seen, \(lost.count) lost, \(stored.count) stored")
        #expect(result.acknowledged.count > 100, "the load kept going")
        #expect(result.errors.isEmpty, "\(result.errors.prefix(5))\n\(stack.logs())")
        #expect(lost.isEmpty)
        #expect(stored.count == result.acknowledged.count, "every write stored once")
    }
}
