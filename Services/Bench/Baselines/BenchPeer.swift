import ClinicBus
import Foundation
import Synchronization

/// One side of a benchmark exchange: a thread with one socket that answers whatever arrives until stopped.
final class BenchPeer: Sendable {
    /// What the peer does with each message: gets the frames and the socket to answer on.
    typealias Answer = (_ frames: [[UInt8]], _ socket: Socket) throws -> Void

    /// The endpoint the peer's socket bound or connected to.
    let endpoint: String
    private let stopSignal: StopSignal
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the thread: `open` makes the socket (bound or connected), then `makeAnswer` (called on the thread,
    /// so it may keep state) handles every message. Throws what `open` threw.
    init(name: String, open: @escaping @Sendable () throws -> Socket,
         makeAnswer: @escaping @Sendable () -> Answer) throws {
        let stop = StopSignal(name: name)
        let opened = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<String, any Error>?>(nil)
        let finished = finished
        let thread = Thread {
            defer { finished.signal() }
            let socket: Socket
            let stopSocket: Socket
            do {
                socket = try open()
                stopSocket = try stop.makeReceiver()
            } catch {
                outcome.withLock { $0 = .failure(error) }
                opened.signal()
                return
            }
            defer {
                socket.close()
                stopSocket.close()
            }
            outcome.withLock { $0 = .success(socket.lastEndpoint) }
            opened.signal()
            let answer = makeAnswer()
            var poll = PollPair(socket, stopSocket)
            do {
                while !stop.isFired {
                    let (readable, stopping) = try poll.poll(timeoutMS: 100)
                    if stopping { break }
                    if readable {
                        while let frames = try socket.receive(dontWait: true) { try answer(frames, socket) }
                    }
                }
            } catch {
                // The measuring side sees the missing answers and reports them.
            }
        }
        thread.name = "clinic-bench-\(name)"
        thread.start()
        opened.wait()
        stopSignal = stop
        switch outcome.withLock({ $0 }) {
        case .success(let endpoint):
            self.endpoint = endpoint
        case .failure(let error):
            finished.wait()
            throw error
        case nil:
            finished.wait()
            throw BusError(operation: "benchmark peer \(name)", reason: "did not start")
        }
    }

    /// Stops the thread and waits for it.
    func stop() {
        stopSignal.fire()
        finished.wait()
    }

    /// A socket of `type` with deep queues (benchmarks keep many messages in flight).
    static func deepSocket(_ type: SocketType) throws -> Socket {
        let socket = try Socket(type)
        try socket.setQueueLimits(messages: 100_000)
        return socket
    }
}
