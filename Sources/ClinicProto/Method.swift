import SwiftProtobuf

/// One rpc of a .proto `service` block, typed by its request and response messages.
public struct Method<Request: SwiftProtobuf.Message, Response: SwiftProtobuf.Message>: Sendable, Hashable {
    /// Full method name, `<package>.<Service>/<Method>`, e.g. `clinic.reception.v1.Reception/RegisterPatient`.
    public let fullName: String

    /// Creates a descriptor; the name must have the `<package>.<Service>/<Method>` form.
    public init(_ fullName: String) {
        self.fullName = fullName
    }

    /// The bus service that serves this method: the proto package, e.g. `clinic.reception.v1`.
    public var busService: String { Self.busService(ofMethod: fullName) }

    /// The bus service of a full method name: everything before the last `.` of the part before `/`.
    public static func busService(ofMethod fullName: String) -> String {
        let servicePart = fullName.split(separator: "/", maxSplits: 1).first.map(String.init) ?? fullName
        guard let dot = servicePart.lastIndex(of: ".") else { return servicePart }
        return String(servicePart[..<dot])
    }
}
