import ClinicBus
import Foundation

/// What the MDP framing alone costs: a bus round trip through a ROUTER that only moves frames between a client
/// and one worker that only echoes, with no broker logic and no worker runtime. Nothing built on MDP over two
/// hops can beat it; the real broker path is measured against it as well as against the raw echo.
public enum ForwardingFloorBenchmark {
    /// Drives `PipelinedCallBenchmark` through the forwarder for `seconds` with `inFlight` outstanding requests.
    public static func run(inFlight: Int, seconds: Double, payloadBytes: Int = 32) throws -> EchoMeasurement {
        let service = "clinic.bench.v1.floor"
        let forwarder = try BenchPeer(name: "floor-forwarder", open: {
            let router = try BenchPeer.deepSocket(.router)
            try router.bind("tcp://127.0.0.1:*")
            return router
        }, makeAnswer: {
            var worker: [UInt8]?
            var early: [[[UInt8]]] = []  // requests that came before the worker's READY
            func forward(_ request: [[UInt8]], to worker: [UInt8], on router: Socket) throws {
                let frames = MDPCodec.encode(.workerRequest(client: request[0], header: request[4], payload: request[5]))
                try router.send(frames[...], prefix: worker, dontWait: true)
            }
            return { frames, router in
                // Client: [client, MDPC02, REQUEST, service, header, payload] → worker.
                // Worker: [worker, MDPW02, READY, service] or [worker, MDPW02, FINAL, client, "", header, payload].
                guard frames.count >= 3 else { return }
                if frames[1] == MDP.worker {
                    if frames[2] == MDP.workerReadyFrame {
                        worker = frames[0]
                        for request in early { try forward(request, to: frames[0], on: router) }
                        early.removeAll()
                    } else if frames[2] == MDP.workerFinalFrame, frames.count == 7 {
                        let reply = MDPCodec.encode(.clientReply(service: service, header: frames[5], payload: frames[6]))
                        try router.send(reply[...], prefix: frames[3], dontWait: true)
                    }
                } else if frames.count == 6 {
                    if let worker { try forward(frames, to: worker, on: router) } else { early.append(frames) }
                }
            }
        })
        defer { forwarder.stop() }
        let echo = try BenchPeer(name: "floor-worker", open: {
            let dealer = try BenchPeer.deepSocket(.dealer)
            try dealer.connect(forwarder.endpoint)
            try dealer.send(MDPCodec.encode(.ready(service: service)))
            return dealer
        }, makeAnswer: {
            { frames, dealer in
                var reply = frames
                if reply.count == 6 { reply[1] = MDP.workerFinalFrame }
                try dealer.send(reply, dontWait: true)
            }
        })
        defer { echo.stop() }
        return try PipelinedCallBenchmark.run(endpoint: forwarder.endpoint, service: service, method: "\(service)/Echo",
                                              inFlight: inFlight, seconds: seconds, payloadBytes: payloadBytes)
    }
}
