import Foundation
import Logging
import Synchronization

/// The broker's ZAP handler (ZeroMQ RFC 27): on a thread of its own, a REP socket bound to `inproc://zeromq.zap.01`
/// in the broker's context answers libzmq's handshake checks for every CURVE socket of that context, admitting only
/// public keys listed in the authorized-keys file, with the key's name as the connection's user id.
///
/// libzmq lets a CURVE handshake through when no ZAP handler is bound, so the handler is bound before any of the
/// broker's endpoints and stays bound until they are closed.
final class ZAPHandler: Sendable {
    /// The endpoint libzmq sends ZAP requests to, per context.
    static let endpoint = "inproc://zeromq.zap.01"

    private let peers: AuthorizedPeers
    private let domain: String
    private let context: ZMQContext
    private let logger: Logger
    private let stopSignal: StopSignal
    private let finished = DispatchGroup()

    /// A handler for `domain` in `context`, admitting `peers`; nothing runs until `start()`.
    init(peers: AuthorizedPeers, domain: String, context: ZMQContext, logger: Logger) {
        self.peers = peers
        self.domain = domain
        self.context = context
        self.logger = logger
        stopSignal = StopSignal(name: "zap", context: context)
    }

    /// Starts the thread and returns once the socket is bound; throws when it cannot be.
    func start() throws(BusError) {
        let bound = DispatchSemaphore(value: 0)
        let outcome = Mutex<BusError?>(nil)
        finished.enter()
        let thread = Thread { [self] in
            defer { finished.leave() }
            run { error in
                outcome.withLock { $0 = error }
                bound.signal()
            }
        }
        thread.name = "clinic-bus-zap"
        thread.start()
        bound.wait()
        if let error = outcome.withLock({ $0 }) {
            finished.wait()
            throw error
        }
    }

    /// Stops the thread and closes its socket (call only once the broker's CURVE sockets are closed).
    func stop() {
        stopSignal.fire()
        finished.wait()
    }

    private func run(started: (BusError?) -> Void) {
        let socket: Socket
        let stopSocket: Socket
        do {
            socket = try Socket(.rep, context: context)
            try socket.bind(Self.endpoint)
            stopSocket = try stopSignal.makeReceiver()
        } catch let error as BusError {
            started(error)
            return
        } catch {
            started(BusError(operation: "ZAP handler socket", reason: "\(error)"))
            return
        }
        started(nil)
        defer {
            socket.close()
            stopSocket.close()
        }
        var refusals = RefusalLog(interval: 10_000)
        var poll = PollPair(socket, stopSocket)
        while !stopSignal.isFired {
            do {
                let (readable, stopping) = try poll.poll(timeoutMS: 1000)
                if stopping { break }
                guard readable, let request = try socket.receive(dontWait: true) else { continue }
                let answer = Self.answer(request, domain: domain) { [peers] in peers.name(forPublicKey: $0) }
                if case .refused(let reason, let address) = answer.outcome,
                   let repeated = refusals.shouldLog(address, now: BusClock.nowMS()) {
                    logger.warning("refused a bus connection", metadata: ["address": "\(address)", "reason": "\(reason)",
                                                                          "refused_since_last_log": "\(repeated)"])
                }
                try socket.send(answer.reply)
            } catch {
                // Never leave: with no handler bound libzmq would let every CURVE handshake through.
                logger.error("ZAP handler socket failed", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    // MARK: The decision (pure)

    /// What a ZAP request led to, for logs.
    enum Outcome: Equatable {
        /// Admitted as `name`.
        case admitted(name: String)
        /// Refused, and why; `address` is the peer's IP address.
        case refused(reason: String, address: String)
    }

    /// The reply frames to one request, and what they decide.
    struct Answer: Equatable {
        var reply: [[UInt8]]
        var outcome: Outcome
    }

    /// Answers a ZAP request (`version, request id, domain, address, routing id, mechanism, credentials…`): 200 with
    /// the listed name as user id for a CURVE key that `nameForKey` knows, else 400 (500 for a request that does not
    /// follow RFC 27).
    static func answer(_ request: [[UInt8]], domain: String, nameForKey: (String) -> String?) -> Answer {
        let requestID = request.count > 1 ? request[1] : []
        func reply(_ code: String, _ text: String, user: String = "") -> [[UInt8]] {
            [Array("1.0".utf8), requestID, Array(code.utf8), Array(text.utf8), Array(user.utf8), []]
        }
        guard request.count >= 6, request[0] == Array("1.0".utf8) else {
            return Answer(reply: reply("500", "not a ZAP 1.0 request"), outcome: .refused(reason: "malformed ZAP request", address: ""))
        }
        let address = String(decoding: request[3], as: UTF8.self)
        guard request[2] == Array(domain.utf8) else {
            return Answer(reply: reply("400", "unknown domain"), outcome: .refused(reason: "unknown ZAP domain", address: address))
        }
        guard request[5] == Array("CURVE".utf8) else {
            return Answer(reply: reply("400", "CURVE required"),
                          outcome: .refused(reason: "mechanism \(String(decoding: request[5], as: UTF8.self)) is not CURVE",
                                            address: address))
        }
        guard request.count == 7, let key = CurveKey.z85(request[6]) else {
            return Answer(reply: reply("400", "bad CURVE credentials"), outcome: .refused(reason: "bad CURVE credentials", address: address))
        }
        guard let name = nameForKey(key) else {
            return Answer(reply: reply("400", "key not authorized"), outcome: .refused(reason: "public key not in the authorized keys",
                                                                                       address: address))
        }
        return Answer(reply: reply("200", "OK", user: name), outcome: .admitted(name: name))
    }
}
