import ClinicBus
import Testing

@Suite struct BrokerSecurityTests {
    @Test(arguments: ["tcp://127.0.0.1:5555", "tcp://127.0.0.1:*", "tcp://127.1.2.3:1", "tcp://localhost:5555", "tcp://[::1]:5555",
                      "ipc:///run/clinic/bus", "inproc://bus"])
    func loopbackEndpoints(endpoint: String) { #expect(BrokerSecurity.isLoopback(endpoint)) }

    @Test(arguments: ["tcp://0.0.0.0:5555", "tcp://*:5555", "tcp://10.0.0.5:5555", "tcp://eth0:5555", "tcp://[::]:5555",
                      "tcp://128.0.0.1:5555", "tcp://127.0.0.256:1", "tcp://127.0.0.1", "pgm://127.0.0.1:5555", "ws://127.0.0.1:1"])
    func endpointsOffLoopback(endpoint: String) { #expect(!BrokerSecurity.isLoopback(endpoint)) }

    @Test func plainModeIsCheckedCurveModeIsNot() throws {
        #expect(throws: BusError.self) { try BrokerConfiguration(endpoint: "tcp://*:5555").checkSecurity() }
        try BrokerConfiguration().checkSecurity()
        let pair = try CurveKeyPair.generate()
        try BrokerConfiguration(endpoint: "tcp://*:5555", security: .curve(pair, authorizedKeysFile: "/x")).checkSecurity()
    }
}
