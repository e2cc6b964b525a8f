import CZeroMQ
import Glibc

/// The ZeroMQ socket types the bus uses.
package enum SocketType {
    case dealer, router, pub, sub, xsub, xpub, pair, req, rep

    var rawValue: Int32 {
        switch self {
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xsub: ZMQ_XSUB
        case .xpub: ZMQ_XPUB
        case .pair: ZMQ_PAIR
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        }
    }
}

/// A libzmq socket: created, used and closed on one thread. Frames are `[UInt8]` arrays.
package final class Socket {
    let handle: UnsafeMutableRawPointer
    package let type: SocketType
    private var closed = false
    /// A receive message at a stable heap address, reused for every frame.
    private let message: UnsafeMutablePointer<zmq_msg_t>

    /// Opens a socket of `type` with LINGER 0 (close never blocks on unsent messages).
    package init(_ type: SocketType, context: ZMQContext = .shared) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else { throw BusError.zmq("zmq_socket") }
        self.handle = handle
        self.type = type
        message = .allocate(capacity: 1)
        zmq_msg_init(message)
        try setOption(ZMQ_LINGER, Int32(0))
    }

    deinit {
        close()
        zmq_msg_close(message)
        message.deallocate()
    }

    /// Closes the socket (idempotent).
    package func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }

    /// Sets an integer socket option.
    package func setOption(_ option: Int32, _ value: Int32) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw BusError.zmq("setsockopt \(option)")
        }
    }

    /// Sets a 64-bit integer socket option (e.g. MAXMSGSIZE).
    package func setOption64(_ option: Int32, _ value: Int64) throws {
        var value = value
        guard zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw BusError.zmq("setsockopt \(option)")
        }
    }

    /// Lets `messages` messages queue in each direction before sends block or drop (SNDHWM and RCVHWM): deep
    /// queues for sockets that keep many requests in flight.
    package func setQueueLimits(messages: Int32) throws {
        try setOption(ZMQ_SNDHWM, messages)
        try setOption(ZMQ_RCVHWM, messages)
    }

    /// Sets a binary socket option (e.g. SUBSCRIBE).
    package func setOption(_ option: Int32, bytes: [UInt8]) throws {
        let result = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        guard result == 0 else { throw BusError.zmq("setsockopt \(option)") }
    }

    /// Binds to `endpoint` (`tcp://127.0.0.1:*` picks a free port; read it from `lastEndpoint`).
    package func bind(_ endpoint: String) throws {
        guard zmq_bind(handle, endpoint) == 0 else { throw BusError.zmq("bind \(endpoint)") }
    }

    /// Connects to `endpoint`; libzmq reconnects on its own when the peer goes away.
    package func connect(_ endpoint: String) throws {
        guard zmq_connect(handle, endpoint) == 0 else { throw BusError.zmq("connect \(endpoint)") }
    }

    /// The endpoint last bound or connected, with the real port when `*` was asked for.
    package var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 256)
        var size = buffer.count
        guard zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Sends a multipart message. Returns false when it would block (`dontWait`) or the peer is unroutable.
    @discardableResult
    package func send(_ frames: [[UInt8]], dontWait: Bool = false) throws -> Bool {
        try send(frames[...], prefix: nil, dontWait: dontWait)
    }

    /// Sends `prefix` (if any) followed by `frames` as one multipart message.
    @discardableResult
    package func send(_ frames: ArraySlice<[UInt8]>, prefix: [UInt8]?, dontWait: Bool = false) throws -> Bool {
        let baseFlags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
        var index = 0
        let total = frames.count + (prefix == nil ? 0 : 1)
        if let prefix {
            let flags = baseFlags | (total > 1 ? ZMQ_SNDMORE : 0)
            guard try sendFrame(prefix, flags: flags) else { return false }
            index = 1
        }
        for frame in frames {
            index += 1
            let flags = baseFlags | (index < total ? ZMQ_SNDMORE : 0)
            guard try sendFrame(frame, flags: flags) else { return false }
        }
        return true
    }

    private func sendFrame(_ frame: [UInt8], flags: Int32) throws -> Bool {
        while true {
            let result = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
            if result >= 0 { return true }
            switch zmq_errno() {
            case EINTR: continue
            case EAGAIN, EHOSTUNREACH: return false
            default: throw BusError.zmq("send")
            }
        }
    }

    /// Receives one whole multipart message; nil when nothing is waiting (`dontWait`) or on EINTR.
    package func receive(dontWait: Bool = false) throws -> [[UInt8]]? {
        var unused: [UInt8] = []
        return try receive(dontWait: dontWait, readUserID: false, userID: &unused)
    }

    /// Receives one whole multipart message and the user id the broker's ZAP handler gave its connection (the
    /// peer's name; empty when the connection has none, as without CURVE). `userID` holds the previous message's
    /// id on entry: when unchanged it is kept as it is, so a stream of messages from one peer allocates nothing.
    package func receive(dontWait: Bool = false, userID: inout [UInt8]) throws -> [[UInt8]]? {
        try receive(dontWait: dontWait, readUserID: true, userID: &userID)
    }

    @inline(__always)
    private func receive(dontWait: Bool, readUserID: Bool, userID: inout [UInt8]) throws -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        frames.reserveCapacity(6)
        var hasUserID = false
        let flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
        while true {
            let size = zmq_msg_recv(message, handle, frames.isEmpty ? flags : 0)
            if size < 0 {
                let code = zmq_errno()
                if code == EINTR && !frames.isEmpty { continue }
                if code == EAGAIN || code == EINTR { return nil }
                throw BusError.zmq("receive")
            }
            // A ROUTER's routing-id frame does not always carry its connection's metadata; the frame after it does.
            if readUserID && frames.count < 2 && (frames.isEmpty || !hasUserID) {
                hasUserID = Self.readUserID(of: message, into: &userID)
            }
            let count = Int(size)
            if count == 0 {
                frames.append([])
            } else {
                let data = zmq_msg_data(message)!.assumingMemoryBound(to: UInt8.self)
                frames.append(Array(UnsafeBufferPointer(start: data, count: count)))
            }
            if zmq_msg_more(message) == 0 { return frames }
        }
    }

    /// Sets `userID` to the frame's "User-Id" property (empty when it has none), leaving it untouched when it holds
    /// that already; whether the frame had the property.
    private static func readUserID(of message: UnsafeMutablePointer<zmq_msg_t>, into userID: inout [UInt8]) -> Bool {
        guard let property = zmq_msg_gets(message, "User-Id") else {
            if !userID.isEmpty { userID = [] }
            return false
        }
        let length = strlen(property)
        if length == userID.count,
           length == 0 || userID.withUnsafeBytes({ memcmp($0.baseAddress!, property, length) == 0 }) {
            return true
        }
        userID = Array(UnsafeRawBufferPointer(start: property, count: length))
        return true
    }

    /// Waits until any of `sockets` is readable or `timeoutMS` passes (-1: forever). Returns readability per socket.
    package static func poll(_ sockets: [Socket], timeoutMS: Int) throws -> [Bool] {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        let result = zmq_poll(&items, Int32(items.count), timeoutMS)
        if result < 0 {
            if zmq_errno() == EINTR { return Array(repeating: false, count: sockets.count) }
            throw BusError.zmq("poll")
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}

/// A pair of poll items for the common case of one socket plus a wake-up socket, without per-call arrays.
package struct PollPair {
    private var items: (zmq_pollitem_t, zmq_pollitem_t)

    package init(_ first: Socket, _ second: Socket) {
        items = (zmq_pollitem_t(socket: first.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
                 zmq_pollitem_t(socket: second.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
    }

    /// Waits up to `timeoutMS` (-1: forever); returns whether each socket is readable.
    package mutating func poll(timeoutMS: Int) throws -> (Bool, Bool) {
        let result = withUnsafeMutableBytes(of: &items) { raw in
            zmq_poll(raw.baseAddress!.assumingMemoryBound(to: zmq_pollitem_t.self), 2, timeoutMS)
        }
        if result < 0 {
            if zmq_errno() == EINTR { return (false, false) }
            throw BusError.zmq("poll")
        }
        let pollIn = Int16(ZMQ_POLLIN)
        return (items.0.revents & pollIn != 0, items.1.revents & pollIn != 0)
    }
}
