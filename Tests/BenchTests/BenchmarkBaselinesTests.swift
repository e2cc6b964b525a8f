import ClinicBus
@testable import clinic_bench
import Foundation
import Testing

/// The bus benchmark's baselines run on real sockets and bring back every message they send.
@Suite struct BenchmarkBaselinesTests {
    /// Runs a blocking benchmark off the cooperative pool.
    func measure(_ run: @escaping @Sendable () throws -> EchoMeasurement) async throws -> EchoMeasurement {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try run() }) }.start()
        }
    }

    @Test func theRawEchoCompletesRoundTripsOfMultipartMessages() async throws {
        let result = try await measure {
            try RawEchoBenchmark.run(inFlight: 8, seconds: 0.2, leadingFrames: [Array("MDPC02".utf8), [0x01]])
        }
        #expect(result.latenciesNS.count > 8)
        #expect(result.latenciesNS.allSatisfy { $0 > 0 })
    }

    @Test func theForwardingFloorCarriesMDPRequestsToItsWorkerAndBack() async throws {
        // PipelinedCallBenchmark fails when a reply is not the echo of its request, so finishing proves the path.
        let result = try await measure { try ForwardingFloorBenchmark.run(inFlight: 16, seconds: 0.2) }
        #expect(result.latenciesNS.count > 16)
        #expect(result.elapsedSeconds >= 0.2)
    }
}
