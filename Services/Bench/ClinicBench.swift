import ArgumentParser

/// `clinic-bench`: performance measurements of the ClinicDesk stack, one subcommand per layer.
@main
struct ClinicBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clinic-bench",
        abstract: "Measures ClinicDesk's latency and throughput.",
        subcommands: [BusBenchmark.self, HTTPBenchmark.self, QueueBenchmark.self, PaymentsBenchmark.self, SchedulingBenchmark.self,
                      FollowUpBenchmark.self])
}
