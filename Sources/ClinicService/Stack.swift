/// One service of the stack, as everything that starts, provisions, watches or deploys the stack sees it.
public struct StackService: Sendable, Hashable {
    /// Short name: database role and schema, event publisher, and the `clinic-<name>` executable.
    public let name: String
    /// The bus services (proto packages) it serves.
    public let busServices: [String]

    /// A service named `name` serving `busServices`.
    public init(name: String, busServices: [String]) {
        self.name = name
        self.busServices = busServices
    }

    /// Its executable, `clinic-<name>`.
    public var executable: String { "clinic-\(name)" }
}

/// The stack: the one list of its services. `clinic up`, `migrate` and `status`, role provisioning, the end-to-end
/// tests, the benchmarks' CPU report and `deploy/` (through `clinic stack`) all read it; adding a service is one
/// line here.
public enum Stack {
    /// Every service, in start order.
    public static let services: [StackService] = [
        // First: every other service and the gateway verify staff tokens with its keys.
        StackService(name: "staff", busServices: ["clinic.staff.v1"]),
        StackService(name: "reception", busServices: ["clinic.reception.v1"]),
        StackService(name: "scheduling", busServices: ["clinic.scheduling.v1"]),
        StackService(name: "billing", busServices: ["clinic.billing.v1"]),
        StackService(name: "followup", busServices: ["clinic.followup.v1"]),
    ]

    /// The broker's executable, started first.
    public static let broker = "clinic-bus"
    /// The gateway's executable, started last.
    public static let gateway = "clinic-gateway"

    /// Every executable of the running stack, in start order: broker, services, gateway.
    public static var executables: [String] { [broker] + services.map(\.executable) + [gateway] }
}
