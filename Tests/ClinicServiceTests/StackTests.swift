import ClinicContract
import ClinicService
import Foundation
import Testing

/// The one list of the stack's services agrees with the contract, the package and the deploy files.
@Suite("The stack's one list of services")
struct StackTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyServiceWithRoutesInTheContractIsListedAndNoOtherOne() {
        let routed = Set(ContractIndex.routedMethods.map(\.busService))
        let listed = Set(Stack.services.flatMap(\.busServices))
        #expect(routed == listed, "services with routes but not in Stack.services: \(routed.subtracting(listed)); listed without routes: \(listed.subtracting(routed))")
        #expect(Set(Stack.services.map(\.name)).count == Stack.services.count)
    }

    @Test func everyListedExecutableIsAProductOfThePackage() throws {
        let manifest = try String(contentsOf: Self.repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        for executable in Stack.executables {
            #expect(manifest.contains(".executable(name: \"\(executable)\""), "Package.swift has no product \(executable)")
        }
    }

    @Test func theCommittedSystemdUnitsAreTheListsUnits() throws {
        let folder = Self.repository.appendingPathComponent("deploy/systemd")
        let committed = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".service") }
        let units = SystemdUnits.all()
        #expect(Set(committed) == Set(units.keys), "regenerate with: clinic stack --systemd-units deploy/systemd")
        for (name, text) in units {
            let file = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(file == text, "deploy/systemd/\(name) is stale: clinic stack --systemd-units deploy/systemd")
        }
    }
}
