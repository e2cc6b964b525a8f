import CZeroMQ

/// The process-wide libzmq context: thread-safe, shared by every socket of the bus.
package final class ZMQContext: Sendable {
    /// The one context of this process; created on first use, never terminated (sockets close with LINGER 0).
    package static let shared = ZMQContext()

    // libzmq documents the context as thread-safe; the pointer itself is never mutated after init.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer

    private init() {
        // zmq_ctx_new only fails when out of memory; there is nothing sensible to do then but stop.
        guard let context = zmq_ctx_new() else { preconditionFailure("zmq_ctx_new failed: out of memory") }
        zmq_ctx_set(context, ZMQ_IO_THREADS, 1)
        zmq_ctx_set(context, ZMQ_MAX_SOCKETS, 8192)
        handle = context
    }
}
