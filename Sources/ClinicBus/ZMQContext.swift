import CZeroMQ
import Synchronization

/// A libzmq context: thread-safe. Most sockets share the process-wide one; a broker owns its own, so that its
/// ZAP handler (bound in the context at `inproc://zeromq.zap.01`) serves that broker's sockets and no other's.
package final class ZMQContext: Sendable {
    /// The one shared context of this process; created on first use, never terminated (sockets close with LINGER 0).
    package static let shared = ZMQContext()

    // libzmq documents the context as thread-safe; the pointer itself is never mutated after init.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer
    private let terminated = Atomic<Bool>(false)

    /// A new context with one I/O thread.
    package init() {
        // zmq_ctx_new only fails when out of memory; there is nothing sensible to do then but stop.
        guard let context = zmq_ctx_new() else { preconditionFailure("zmq_ctx_new failed: out of memory") }
        zmq_ctx_set(context, ZMQ_IO_THREADS, 1)
        zmq_ctx_set(context, ZMQ_MAX_SOCKETS, 8192)
        handle = context
    }

    /// Ends the context once every socket in it is closed (blocks until then); idempotent. Never call it on `shared`.
    package func terminate() {
        guard !terminated.exchange(true, ordering: .acquiringAndReleasing) else { return }
        while zmq_ctx_term(handle) != 0, zmq_errno() == EINTR {}
    }
}
