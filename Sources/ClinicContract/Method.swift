import ClinicProto
import SwiftProtobuf

/// One rpc of a .proto `service` block, typed by its request and response messages, with what the contract
/// says about it: who may call it, and its HTTP route if it has one.
public struct Method<Request: FieldRulesChecked, Response: SwiftProtobuf.Message>: Sendable, Hashable {
    /// Full method name, `<package>.<Service>/<Method>`, e.g. `clinic.reception.v1.Reception/RegisterPatient`.
    public let fullName: String
    /// Who may call it.
    public let access: Access
    /// How HTTP clients reach the rpc through the gateway; nil for rpcs served on the bus only.
    public let route: HTTPRoute?

    /// Creates a descriptor; the name must have the `<package>.<Service>/<Method>` form.
    public init(_ fullName: String, access: Access, route: HTTPRoute? = nil) {
        self.fullName = fullName
        self.access = access
        self.route = route
    }

    /// The bus service that serves this method: the proto package, e.g. `clinic.reception.v1`.
    public var busService: String { Self.busService(ofMethod: fullName) }

    /// The bus service of a full method name: everything before the last `.` of the part before `/`.
    public static func busService(ofMethod fullName: String) -> String {
        let servicePart = fullName.split(separator: "/", maxSplits: 1).first.map(String.init) ?? fullName
        guard let dot = servicePart.lastIndex(of: ".") else { return servicePart }
        return String(servicePart[..<dot])
    }

    /// Descriptors are identified by their full name.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.fullName == rhs.fullName }

    /// Hashes the full name.
    public func hash(into hasher: inout Hasher) { hasher.combine(fullName) }
}

/// A method descriptor whose message types are known only to itself: what a table of every routed rpc holds.
public protocol RoutedMethod: Sendable {
    associatedtype Request: FieldRulesChecked
    associatedtype Response: SwiftProtobuf.Message
    /// Full method name.
    var fullName: String { get }
    /// Who may call it.
    var access: Access { get }
    /// The HTTP route (present for every entry of `ContractIndex.routedMethods`).
    var route: HTTPRoute? { get }
}

extension Method: RoutedMethod {}

extension RoutedMethod {
    /// The bus service that serves the rpc: its proto package.
    public var busService: String { Method<Request, Response>.busService(ofMethod: fullName) }
}
