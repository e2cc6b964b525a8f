import CZeroMQ
import Glibc
import Logging

/// The event proxy of a CURVE bus: forwards events from the XSUB side to the XPUB side and subscriptions back, as
/// `zmq_proxy` does, but drops an event whose topic its publisher may not use (`clinic.<name>.…` for a peer named
/// `<name>`, or a service listed for it), and any event from a peer whose key is no longer authorized. Frames are
/// moved between sockets as libzmq messages, never copied; only the topic frame is looked at.
struct CheckedEventProxy {
    let frontend: Socket
    let backend: Socket
    let control: Socket
    let peers: AuthorizedPeers
    let logger: Logger

    /// Runs until the control socket receives a frame (the broker stopping).
    func run() {
        let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        zmq_msg_init(message)
        defer {
            zmq_msg_close(message)
            message.deallocate()
        }
        var permissions = peers.permissions
        var seen = peers.generation
        var drops = RefusalLog(interval: 10_000)
        var items = [frontend, backend, control].map {
            zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        }
        while true {
            let ready = zmq_poll(&items, 3, 1000)
            if ready < 0 {
                if zmq_errno() == EINTR { continue }
                logger.error("event proxy poll failed", metadata: ["error": "\(BusError.zmq("poll"))"])
                return
            }
            if items[2].revents & Int16(ZMQ_POLLIN) != 0 { return }
            if peers.generation != seen {
                seen = peers.generation
                permissions = peers.permissions
            }
            if items[0].revents & Int16(ZMQ_POLLIN) != 0 {
                // A bounded batch of events, so subscriptions and the stop signal are not starved.
                for _ in 0..<256 {
                    guard let verdict = forwardEvent(message, permissions: permissions) else { break }
                    if case .dropped(let peer, let topic) = verdict, let suppressed = drops.shouldLog(peer, now: BusClock.nowMS()) {
                        logger.warning("dropped an event its publisher may not publish",
                                       metadata: ["peer": "\(peer)", "topic": "\(topic)", "dropped_since_last_log": "\(suppressed)"])
                    }
                }
            }
            if items[1].revents & Int16(ZMQ_POLLIN) != 0 {
                // Subscriptions (and unsubscriptions) travel upstream to the publishers unchecked.
                for _ in 0..<256 where move(message, from: backend, to: frontend, first: true, forward: true) {}
            }
        }
    }

    private enum Verdict {
        case forwarded
        case dropped(peer: String, topic: String)
    }

    /// Moves one event from the frontend to the backend if its publisher may publish its topic; nil when none waits.
    private func forwardEvent(_ message: UnsafeMutablePointer<zmq_msg_t>, permissions: PeerPermissions) -> Verdict? {
        guard receive(message, from: frontend, dontWait: true) else { return nil }
        let peer = zmq_msg_gets(message, "User-Id").map { String(cString: $0) } ?? ""
        let size = zmq_msg_size(message)
        let topic = size == 0 ? "" : String(decoding: UnsafeRawBufferPointer(start: zmq_msg_data(message), count: size), as: UTF8.self)
        let allowed = permissions.isAdmitted(Array(peer.utf8)) && permissions.mayPublish(peer, topic: topic)
        let more = zmq_msg_more(message) != 0
        if allowed {
            send(message, to: backend, more: more)
        }
        if more { _ = move(message, from: frontend, to: backend, first: false, forward: allowed) }
        return allowed ? .forwarded : .dropped(peer: peer, topic: String(topic.prefix(120)))
    }

    /// Moves (or with `forward` false, discards) the rest of a message — all of it when `first` — from `source` to
    /// `destination`; false when `first` and nothing was waiting.
    private func move(_ message: UnsafeMutablePointer<zmq_msg_t>, from source: Socket, to destination: Socket, first: Bool,
                      forward: Bool) -> Bool {
        var more = true
        var isFirst = first
        while more {
            guard receive(message, from: source, dontWait: isFirst) else { return !isFirst }
            isFirst = false
            more = zmq_msg_more(message) != 0
            if forward { send(message, to: destination, more: more) }
        }
        return true
    }

    private func receive(_ message: UnsafeMutablePointer<zmq_msg_t>, from socket: Socket, dontWait: Bool) -> Bool {
        while zmq_msg_recv(message, socket.handle, dontWait ? ZMQ_DONTWAIT : 0) < 0 {
            if zmq_errno() != EINTR || dontWait { return false }
        }
        return true
    }

    /// Sends the frame (libzmq takes its content and leaves `message` empty); XPUB and XSUB never block a send.
    private func send(_ message: UnsafeMutablePointer<zmq_msg_t>, to socket: Socket, more: Bool) {
        while zmq_msg_send(message, socket.handle, more ? ZMQ_SNDMORE : 0) < 0 {
            if zmq_errno() != EINTR {
                logger.debug("event proxy could not forward a frame", metadata: ["error": "\(BusError.zmq("send"))"])
                return
            }
        }
    }
}
