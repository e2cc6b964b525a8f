import ClinicService
import Foundation

/// CPU time used so far, per process name and for the whole machine, read from `/proc` (Linux).
struct CPUSnapshot {
    /// Seconds of CPU (user + system) per process name (`comm`), summed over the processes of that name.
    var seconds: [String: Double] = [:]
    /// Seconds of busy CPU of the whole machine (all cores, everything but idle and I/O wait).
    var machineSeconds: Double = 0

    /// The processes whose share a report names.
    static let stackProcesses = [Stack.gateway] + Stack.services.map(\.executable) + [Stack.broker, "postgres"]

    /// Reads `/proc/<pid>/stat` of every process and `/proc/stat`; empty where `/proc` is missing.
    static func now() -> CPUSnapshot {
        var snapshot = CPUSnapshot()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard ticks > 0 else { return snapshot }
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { $0.allSatisfy(\.isNumber) } ?? []
        for pid in pids {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
            let name = String(stat[stat.index(after: open)..<close])
            // After "pid (comm) ", field 3 is the state; utime and stime are fields 14 and 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            snapshot.seconds[name, default: 0] += (user + system) / ticks
        }
        if let total = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
           let line = total.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) {
            // user nice system idle iowait irq softirq steal …
            let values = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            if values.count >= 7 {
                snapshot.machineSeconds = (values[0] + values[1] + values[2] + values[5] + values[6]) / ticks
            }
        }
        return snapshot
    }

    /// Microseconds of CPU per request between `self` (before) and `after`, for the stack's processes and the machine.
    func perRequest(until after: CPUSnapshot, requests: Double) -> CPUPerRequest {
        guard requests > 0 else { return CPUPerRequest(byProcess: [:], machine: 0) }
        var byProcess: [String: Double] = [:]
        for name in Self.stackProcesses {
            // The kernel keeps 15 characters of a process name (`clinic-receptio`).
            let comm = String(name.prefix(15))
            let used = (after.seconds[comm] ?? 0) - (seconds[comm] ?? 0)
            if used > 0 { byProcess[name] = (used / requests * 1_000_000).rounded() }
        }
        return CPUPerRequest(byProcess: byProcess, machine: ((after.machineSeconds - machineSeconds) / requests * 1_000_000).rounded())
    }
}

/// Where a request's CPU went: microseconds per request for each stack process, and for the whole machine
/// (which includes the load generator and the kernel's own threads).
struct CPUPerRequest: Codable {
    var byProcess: [String: Double]
    var machine: Double

    var line: String {
        let parts = byProcess.sorted { $0.value > $1.value }.map { "\($0.key) \(Int($0.value))" }
        return "CPU µs per request: " + (parts + ["whole machine \(Int(machine))"]).joined(separator: ", ")
    }
}
