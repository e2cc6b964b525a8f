import Foundation
import Synchronization

/// Keeps a worker's heartbeats going while its handler runs, so the broker never takes a slow handler
/// (a long query, a call to another service) for a dead worker and answers its caller UNAVAILABLE.
///
/// The worker thread lends its socket for the length of one handler call; the pool's heartbeat thread sends
/// HEARTBEAT on it when one is due. The socket is used by one thread at a time, and every hand-over happens
/// under a mutex: the full memory barrier libzmq asks for when a socket moves between threads.
final class BusyHeartbeat: Sendable {
    /// A worker's socket while it is lent out; only touched under the loan's lock.
    final class LentSocket: @unchecked Sendable {
        fileprivate let socket: Socket

        init(_ socket: Socket) { self.socket = socket }
    }

    private struct Loan {
        let socket: LentSocket
        var lastBeatMS: Int64
    }

    private static let frames = MDPCodec.encode(.heartbeat)
    private let loan = Mutex<Loan?>(nil)
    /// A heartbeat is sent once this long has passed since the loan began or the last one.
    let beatEveryMS: Int64

    /// Covers a worker whose broker expects a heartbeat every `heartbeatMS`.
    init(heartbeatMS: Int64) {
        beatEveryMS = max(1, heartbeatMS / 2)
    }

    /// Runs `body` (a handler) with `socket` lent out, and takes it back before returning.
    func lending<T>(_ socket: LentSocket, _ body: () throws -> T) rethrows -> T {
        let now = BusClock.nowMS()
        loan.withLock { $0 = Loan(socket: socket, lastBeatMS: now) }
        defer { loan.withLock { $0 = nil } }
        return try body()
    }

    /// Sends a heartbeat on the lent socket when one is due; does nothing while the socket is not lent out.
    /// Returns whether it sent one.
    @discardableResult
    func beatIfDue(now: Int64) -> Bool {
        return loan.withLock { loan in
            guard let current = loan, now - current.lastBeatMS >= beatEveryMS else { return false }
            loan?.lastBeatMS = now
            return (try? current.socket.socket.send(Self.frames, dontWait: true)) ?? false
        }
    }
}
