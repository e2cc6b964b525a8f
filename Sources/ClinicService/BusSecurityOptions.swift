import ArgumentParser
import ClinicBus
import Foundation

/// How a process that connects to the broker secures its sockets: its own CURVE key pair file and the broker's
/// public key. Both given: CURVE; neither: plain (a broker running CURVE then refuses every connection).
public struct BusSecurityOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("curve-key"), help: ArgumentHelp(
        "This process's CURVE key pair file, mode 0600 (env CLINIC_CURVE_KEY).",
        discussion: "Made by `clinic keys new NAME`; the broker admits it once NAME and its public key are in its authorized keys.",
        valueName: "file"))
    /// `--curve-key` as given (see `curveKey` for the value in force).
    public var curveKeyOption: String?

    @Option(name: .customLong("bus-server-key"), help: ArgumentHelp(
        "The broker's CURVE public key, 40 characters of Z85 (env CLINIC_BUS_SERVER_KEY).", valueName: "z85"))
    /// `--bus-server-key` as given (see `busServerKey` for the value in force).
    public var busServerKeyOption: String?

    /// Creates the options (parsed from the command line by ArgumentParser).
    public init() {}

    /// The key pair file: the flag, else `CLINIC_CURVE_KEY` (nil when neither or empty).
    public var curveKey: String? { Self.nonEmpty(curveKeyOption ?? ProcessInfo.processInfo.environment["CLINIC_CURVE_KEY"]) }

    /// The broker's public key: the flag, else `CLINIC_BUS_SERVER_KEY` (nil when neither or empty).
    public var busServerKey: String? {
        Self.nonEmpty(busServerKeyOption ?? ProcessInfo.processInfo.environment["CLINIC_BUS_SERVER_KEY"])
    }

    /// Refuses one of the two without the other, and a server key that is not Z85.
    public func validate() throws {
        switch (curveKey, busServerKey) {
        case (nil, nil):
            return
        case (_?, nil):
            throw ValidationError("--curve-key needs --bus-server-key (the broker's public key) too")
        case (nil, _?):
            throw ValidationError("--bus-server-key needs --curve-key (this process's key pair file) too")
        case (_?, let serverKey?):
            do {
                try CurveKey.checkZ85(serverKey, what: "--bus-server-key")
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    /// The security these options ask for, the key file loaded; errors name the file and line.
    public func resolve() throws -> BusSecurity {
        guard let curveKey, let busServerKey else { return .plain }
        do {
            return try BusSecurity.curve(loadingKeyFile: curveKey, serverKey: busServerKey)
        } catch {
            throw ValidationError("cannot use the CURVE key: \(error.description)")
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
