import ClinicProto
import CZeroMQ
import Foundation
import Logging
import SwiftProtobuf
import Synchronization

/// An RPC client of the bus: one I/O thread owns one DEALER socket; callers on any thread or task hand it
/// requests through a locked queue and an inproc wake-up socket, and are resumed by request id.
public final class BusClient: RPCTransport {
    /// A caller blocked in `sendBlocking` until the I/O thread fills in its result.
    private final class BlockingSlot: Sendable {
        let result = Mutex<Result<RPCReply, any Error>?>(nil)
        let ready = DispatchSemaphore(value: 0)
    }

    private enum Waiter {
        case async(CheckedContinuation<RPCReply, any Error>)
        case blocking(BlockingSlot)

        func resume(_ result: Result<RPCReply, any Error>) {
            switch self {
            case .async(let continuation): continuation.resume(with: result)
            case .blocking(let slot):
                slot.result.withLock { $0 = result }
                slot.ready.signal()
            }
        }
    }

    private enum Command {
        case request(id: String, frames: [[UInt8]], deadline: Int64, waiter: Waiter)
        case cancel(id: String)
    }

    private struct Pending {
        var deadline: Int64
        var waiter: Waiter
    }

    private struct Shared {
        var queue: [Command] = []
        var wakePending = false
        var closed = false
        var waker: Socket?
    }

    private let endpoint: String
    private let security: BusSecurity
    private let logger: Logger
    private let maxMessageBytes: Int
    private let defaultTimeoutMS: Int64
    private let wakeEndpoint: String
    private let stopped = DispatchGroup()
    // Holds the caller side of the wake-up PAIR. libzmq allows a socket to move between threads when a full
    // memory barrier separates the uses; every use of `waker` happens inside this mutex, which provides it.
    private let shared = Mutex(Shared())
    private static let counter = Atomic<Int>(0)

    /// Connects to the broker at `endpoint` with `security` (plain, or CURVE with this process's keys); reconnecting
    /// after a broker restart is libzmq's job. A CURVE broker that refuses the key answers nothing: calls time out.
    public init(endpoint: String, security: BusSecurity = .plain, logger: Logger, maxMessageBytes: Int = 4 << 20,
                defaultTimeout: Duration = .seconds(5)) throws {
        self.endpoint = endpoint
        self.security = security
        self.logger = logger
        self.maxMessageBytes = maxMessageBytes
        defaultTimeoutMS = defaultTimeout.wholeMilliseconds
        wakeEndpoint = "inproc://clinic-bus-client-\(BusClient.counter.add(1, ordering: .relaxed).newValue)"

        let started = DispatchSemaphore(value: 0)
        let startError = Mutex<BusError?>(nil)
        stopped.enter()
        let thread = Thread { [self] in
            defer { stopped.leave() }
            run { error in
                startError.withLock { $0 = error }
                started.signal()
            }
        }
        thread.name = "clinic-bus-client"
        thread.start()
        started.wait()
        if let error = startError.withLock({ $0 }) {
            stopped.wait()
            throw error
        }
        let wakeEndpoint = self.wakeEndpoint
        try shared.withLock { shared in
            let waker = try Socket(.pair)
            try waker.connect(wakeEndpoint)
            shared.waker = waker
        }
    }

    /// Sends a request and awaits its reply; at the header's deadline throws `DEADLINE_EXCEEDED`.
    public func send(service: String, header: Clinic_Bus_V1_RequestHeader, payload: [UInt8]) async throws -> RPCReply {
        let (id, frames, deadline) = try prepare(service: service, header: header, payload: payload)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RPCReply, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: RPCError(.cancelled, "the call was cancelled"))
                    return
                }
                enqueue(.request(id: id, frames: frames, deadline: deadline, waiter: .async(continuation)))
            }
        } onCancel: {
            enqueue(.cancel(id: id))
        }
    }

    /// Sends a request and blocks the calling thread until the reply or the deadline (never call from a Task).
    public func sendBlocking(service: String, header: Clinic_Bus_V1_RequestHeader, payload: [UInt8]) throws -> RPCReply {
        let (id, frames, deadline) = try prepare(service: service, header: header, payload: payload)
        let slot = BlockingSlot()
        enqueue(.request(id: id, frames: frames, deadline: deadline, waiter: .blocking(slot)))
        slot.ready.wait()
        guard let result = slot.result.withLock({ $0 }) else { throw RPCError(.internal, "no result") }
        return try result.get()
    }

    /// Asks the broker (MMI) whether `service` has at least one live worker.
    public func serviceAvailable(_ service: String, timeout: Duration) async -> Bool {
        guard let reply = try? await send(service: MDP.serviceDiscovery, header: Self.discoveryHeader(timeout: timeout),
                                          payload: Array(service.utf8)) else {
            return false
        }
        return reply.header.code == .ok
    }

    /// Fails calls still waiting, stops the I/O thread and closes the sockets. Idempotent.
    public func close() {
        let waker = shared.withLock { shared -> Socket? in
            guard !shared.closed else { return nil }
            shared.closed = true
            _ = try? shared.waker?.send([[0]], dontWait: true)
            defer { shared.waker = nil }
            return shared.waker
        }
        stopped.wait()
        waker?.close()
    }

    // MARK: Caller side

    private func prepare(service: String, header: Clinic_Bus_V1_RequestHeader,
                         payload: [UInt8]) throws -> (String, [[UInt8]], Int64) {
        guard !header.requestID.isEmpty else {
            throw RPCError.invalidArgument(field: "request_id", "every request needs a request id")
        }
        let headerBytes: [UInt8] = try header.serializedBytes()
        let deadline = header.deadlineUnixMs == 0 ? BusClock.nowMS() + defaultTimeoutMS : header.deadlineUnixMs
        let frames = MDPCodec.encode(.clientRequest(service: service, header: headerBytes, payload: payload))
        return (header.requestID, frames, deadline)
    }

    private func enqueue(_ command: Command) {
        let accepted = shared.withLock { shared -> Bool in
            guard !shared.closed else { return false }
            shared.queue.append(command)
            if !shared.wakePending {
                shared.wakePending = true
                _ = try? shared.waker?.send([[1]], dontWait: true)
            }
            return true
        }
        if !accepted, case .request(_, _, _, let waiter) = command {
            waiter.resume(.failure(RPCError(.unavailable, "the bus client is closed")))
        }
    }

    // MARK: I/O thread

    private func run(started: (BusError?) -> Void) {
        let dealer: Socket
        let wake: Socket
        do {
            dealer = try Socket(.dealer)
            try dealer.setOption64(ZMQ_MAXMSGSIZE, Int64(maxMessageBytes))
            try dealer.setQueueLimits(messages: 100_000)
            try dealer.secure(as: security)
            try dealer.connect(endpoint)
            wake = try Socket(.pair)
            try wake.bind(wakeEndpoint)
        } catch let error as BusError {
            started(error)
            return
        } catch {
            started(BusError(operation: "bus client socket", reason: "\(error)"))
            return
        }
        started(nil)
        defer {
            dealer.close()
            wake.close()
        }

        var pending: [String: Pending] = [:]
        pending.reserveCapacity(256)
        var earliestDeadline = Int64.max
        var poll = PollPair(dealer, wake)
        var commands: [Command] = []
        commands.reserveCapacity(64)
        var closing = false

        while !closing {
            let now = BusClock.nowMS()
            let timeout = pending.isEmpty ? 1000 : Int(max(0, min(earliestDeadline - now, 1000)))
            let readable: (Bool, Bool)
            do {
                readable = try poll.poll(timeoutMS: timeout)
            } catch {
                logger.error("bus client poll failed", metadata: ["error": "\(error)"])
                break
            }
            if readable.1 {
                while (try? wake.receive(dontWait: true)) ?? nil != nil {}
                shared.withLock { shared in
                    swap(&commands, &shared.queue)
                    shared.wakePending = false
                    closing = shared.closed
                }
                for command in commands {
                    switch command {
                    case .request(let id, let frames, let deadline, let waiter):
                        if deadline <= BusClock.nowMS() {
                            waiter.resume(.failure(RPCError(.deadlineExceeded, "deadline passed before the request was sent")))
                        } else if pending[id] != nil {
                            waiter.resume(.failure(RPCError(.alreadyExists, "a request with this id is already in flight")))
                        } else {
                            let sent = (try? dealer.send(frames, dontWait: true)) ?? false
                            if sent {
                                pending[id] = Pending(deadline: deadline, waiter: waiter)
                                earliestDeadline = min(earliestDeadline, deadline)
                            } else {
                                waiter.resume(.failure(RPCError(.unavailable, "the bus is not reachable (send queue full)")))
                            }
                        }
                    case .cancel(let id):
                        pending.removeValue(forKey: id)?.waiter.resume(.failure(RPCError(.cancelled, "the call was cancelled")))
                    }
                }
                commands.removeAll(keepingCapacity: true)
            }
            if readable.0 {
                while let frames = try? dealer.receive(dontWait: true) {
                    guard frames.count == 5, frames[0] == MDP.client, frames[1] == MDP.clientFinalFrame,
                          let header = try? Clinic_Bus_V1_ReplyHeader(serializedBytes: frames[3]) else {
                        logger.warning("bus client dropped a malformed reply")
                        continue
                    }
                    // A reply nobody waits for (late, after its deadline) is dropped here.
                    pending.removeValue(forKey: header.requestID)?.waiter.resume(.success(RPCReply(header: header, payload: frames[4])))
                }
            }
            let after = BusClock.nowMS()
            if after >= earliestDeadline {
                earliestDeadline = Int64.max
                var expired: [String] = []
                for (id, entry) in pending {
                    if entry.deadline <= after {
                        expired.append(id)
                    } else {
                        earliestDeadline = min(earliestDeadline, entry.deadline)
                    }
                }
                for id in expired {
                    pending.removeValue(forKey: id)?.waiter.resume(.failure(RPCError(.deadlineExceeded, "no reply before the deadline")))
                }
            }
        }
        for (_, entry) in pending {
            entry.waiter.resume(.failure(RPCError(.unavailable, "the bus client was closed")))
        }
        // Anything enqueued after the last drain fails too.
        let leftover = shared.withLock { shared -> [Command] in
            defer { shared.queue = [] }
            return shared.queue
        }
        for case .request(_, _, _, let waiter) in leftover {
            waiter.resume(.failure(RPCError(.unavailable, "the bus client was closed")))
        }
    }
}
