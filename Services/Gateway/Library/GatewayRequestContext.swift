import Hummingbird
import NIOCore

/// The gateway's per-request context: Hummingbird's core context plus the client's address, which sign-in rate
/// limits and the sign-in audit use.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's core context.
    public var coreContext: CoreRequestContextStorage
    /// The address of the HTTP client's connection.
    public let remoteAddress: SocketAddress?

    /// A context for a request arriving on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
