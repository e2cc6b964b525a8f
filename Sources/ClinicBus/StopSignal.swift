import CZeroMQ
import Synchronization

/// Wakes a socket loop to stop it: the loop owns a bound inproc PAIR it polls; `fire()` connects its own
/// short-lived PAIR on the calling thread and sends one frame, so no socket ever crosses threads.
package final class StopSignal: Sendable {
    private static let counter = Atomic<Int>(0)
    /// The inproc endpoint the loop binds.
    package let endpoint: String
    private let fired = Atomic<Bool>(false)
    /// The context the loop's sockets live in (inproc endpoints are per context).
    private let context: ZMQContext

    /// A signal for the loop named `name`, whose sockets live in `context`.
    package init(name: String, context: ZMQContext = .shared) {
        endpoint = "inproc://clinic-stop-\(name)-\(StopSignal.counter.add(1, ordering: .relaxed).newValue)"
        self.context = context
    }

    /// Called on the loop's thread: the socket to poll for the stop frame.
    package func makeReceiver() throws -> Socket {
        let socket = try Socket(.pair, context: context)
        try socket.bind(endpoint)
        return socket
    }

    /// Whether stop was asked for.
    package var isFired: Bool { fired.load(ordering: .acquiring) }

    /// Asks the loop to stop; safe to call from any thread, more than once.
    package func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if let socket = try? Socket(.pair, context: context) {
            try? socket.setOption(ZMQ_LINGER, Int32(200))  // let the frame reach the pipe before close
            try? socket.connect(endpoint)
            _ = try? socket.send([Array("TERMINATE".utf8)], dontWait: true)
            socket.close()
        }
    }
}
