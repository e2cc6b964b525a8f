import Logging

/// What a worker's socket loop must do after an input.
enum WorkerAction: Equatable {
    /// Send frames to the broker.
    case send([[UInt8]])
    /// Run the handler for a request and report the reply through `replied`.
    case handle(client: [UInt8], header: [UInt8], payload: [UInt8])
    /// Close the socket and open a new one (the broker is gone or told us to go).
    case reconnect
    /// Log a line.
    case log(Logger.Level, String)
}

/// A worker's protocol logic as a pure value: READY on connect, heartbeats, broker liveness, reconnects.
struct WorkerStateMachine {
    let service: String
    let heartbeatMS: Int64
    let liveness: Int64
    private(set) var connected = false
    private var brokerExpiry: Int64 = 0
    private var nextHeartbeat: Int64 = 0

    init(service: String, heartbeatMS: Int64, liveness: Int) {
        self.service = service
        self.heartbeatMS = max(1, heartbeatMS)
        self.liveness = Int64(max(1, liveness))
    }

    /// A fresh socket is connected: announce the service.
    mutating func socketConnected(now: Int64) -> [WorkerAction] {
        connected = true
        brokerExpiry = now + heartbeatMS * liveness
        nextHeartbeat = now + heartbeatMS
        return [.send(MDPCodec.encode(.ready(service: service)))]
    }

    /// Frames arrived from the broker.
    mutating func received(_ frames: [[UInt8]], now: Int64) -> [WorkerAction] {
        brokerExpiry = now + heartbeatMS * liveness
        switch MDPCodec.decode(frames) {
        case .success(.workerRequest(let client, let header, let payload)):
            return [.handle(client: client, header: header, payload: payload)]
        case .success(.heartbeat):
            return []
        case .success(.disconnect):
            connected = false
            return [.log(.info, "broker asked this worker to reconnect"), .reconnect]
        case .success:
            return [.log(.warning, "ignored an unexpected command from the broker")]
        case .failure(let malformed):
            return [.log(.warning, "ignored a malformed message from the broker: \(malformed.reason)")]
        }
    }

    /// The handler finished: send its reply (sending counts as a heartbeat).
    mutating func replied(client: [UInt8], header: [UInt8], payload: [UInt8], now: Int64) -> [WorkerAction] {
        nextHeartbeat = now + heartbeatMS
        return [.send(MDPCodec.encode(.workerReply(client: client, header: header, payload: payload)))]
    }

    /// Time passed: heartbeat when due; reconnect when the broker has been silent too long.
    mutating func tick(now: Int64) -> [WorkerAction] {
        guard connected else { return [] }
        if now >= brokerExpiry {
            connected = false
            return [.log(.warning, "broker silent for \(liveness) heartbeats; reconnecting"), .reconnect]
        }
        if now >= nextHeartbeat {
            nextHeartbeat = now + heartbeatMS
            return [.send(MDPCodec.encode(.heartbeat))]
        }
        return []
    }

    /// Milliseconds until `tick` has something to do.
    func msUntilNextTick(now: Int64) -> Int64 {
        max(0, min(nextHeartbeat, brokerExpiry) - now)
    }

    /// Going away for good: tell the broker.
    mutating func stopping() -> [WorkerAction] {
        defer { connected = false }
        return connected ? [.send(MDPCodec.encode(.disconnect))] : []
    }
}
