/// The systemd units of the stack, one per executable of `Stack` (committed under deploy/systemd, written by
/// `clinic stack --systemd-units DIR`).
public enum SystemdUnits {
    /// File name → unit text, for every executable of the stack.
    public static func all() -> [String: String] {
        var units: [String: String] = [:]
        units[Stack.broker + ".service"] = unit(Stack.broker, "ClinicDesk bus broker (RPC routing and event proxy)", after: [],
                                                security: brokerSecurity, reload: true)
        for service in Stack.services {
            units[service.executable + ".service"] = unit(service.executable, "ClinicDesk \(service.name) service", after: [Stack.broker],
                                                          security: peerSecurity(service.name))
        }
        units[Stack.gateway + ".service"] = unit(Stack.gateway, "ClinicDesk HTTP/JSON gateway", after: [Stack.broker],
                                                 security: peerSecurity("gateway"))
        return units
    }

    /// The broker's CURVE settings, as comments of its unit.
    static let brokerSecurity = """
        # CURVE (required unless every endpoint is loopback and --insecure-plain-bus is given):
        #   CLINIC_BUS_CURVE_KEY=/etc/clinicdesk/keys/bus.key  CLINIC_BUS_AUTHORIZED_KEYS=/etc/clinicdesk/keys/authorized_keys
        # `systemctl reload clinic-bus` (SIGHUP) reloads the authorized keys.
        """

    /// A bus peer's CURVE settings, as comments of its unit.
    static func peerSecurity(_ name: String) -> String {
        """
        # CURVE: CLINIC_CURVE_KEY=/etc/clinicdesk/keys/\(name).key (clinic keys new \(name)), and in common.env
        #   CLINIC_BUS_SERVER_KEY=<the broker's public key>
        """
    }

    static func unit(_ executable: String, _ description: String, after: [String], security: String, reload: Bool = false) -> String {
        """
        [Unit]
        Description=\(description)
        After=\((["network-online.target"] + after.map { $0 + ".service" }).joined(separator: " "))
        Wants=network-online.target

        [Service]
        Type=simple
        User=clinicdesk
        Group=clinicdesk
        # Options come from the environment (see each executable's --help): CLINIC_BUS_ENDPOINT, DATABASE_URL, CLINIC_WORKERS, ...
        \(security)
        EnvironmentFile=-/etc/clinicdesk/common.env
        EnvironmentFile=-/etc/clinicdesk/\(executable).env
        ExecStart=/usr/local/bin/\(executable)
        \(reload ? "ExecReload=/bin/kill -HUP $MAINPID\n" : "")# SIGTERM: stop taking work, finish what is in flight, close sockets and connections.
        KillSignal=SIGTERM
        TimeoutStopSec=20
        Restart=on-failure
        RestartSec=2
        NoNewPrivileges=true
        ProtectSystem=strict
        ProtectHome=true
        PrivateTmp=true

        [Install]
        WantedBy=multi-user.target

        """
    }
}
