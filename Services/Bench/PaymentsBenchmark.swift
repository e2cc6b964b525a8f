import ArgumentParser
import Foundation

/// `clinic-bench payments`: payments per second through a running gateway, each with its own idempotency key and its
/// receipt numbered without gaps, with 32 in flight; then the receipts are read back to show the numbers run 1, 2, …
/// with no gap and no duplicate.
struct PaymentsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payments",
        abstract: "POST /v1/bills/{id}/payments with 32 in flight (gapless receipts), beside the hello-world.")

    @OptionGroup var target: GatewayTarget

    @Option(help: "Seconds of load.")
    var seconds: Int = 10

    @Option(help: "Payments in flight (wrk connections).")
    var connections: Int = 32

    @Option(help: "Bills the payments are spread over (so that few wait on the same bill).")
    var bills: Int = 400

    @Option(help: "Where to write the JSON results.")
    var output: String = "bench-results/payments.json"

    func run() async throws {
        let (load, admin) = try await target.start(connections: connections, seconds: seconds)
        let director = try await load.member("bench.director", name: "压测院长", role: "STAFF_ROLE_DIRECTOR", admin: admin)
        let cashier = try await load.member("bench.cashier", name: "压测收费", role: "STAFF_ROLE_CASHIER", admin: admin)
        let code = "BENCH-\(Int.random(in: 0..<1_000_000))"
        _ = try await load.require("POST", "/v1/fee-items", ["code": code, "name": "压测项目", "category": "FEE_CATEGORY_TREATMENT",
                                                            "unitPriceFen": "100000000", "activeFrom": "2020-01-01"],
                                   token: director, expect: [201])
        var billIDs: [String] = []
        for index in 0..<bills {
            let bill = try await load.require("POST", "/v1/bills", ["patientId": UUID().uuidString.lowercased(), "patientName": "压测\(index)",
                                                                   "lines": [["feeCode": code]]], token: cashier, expect: [201])
            billIDs.append(bill["id"] as? String ?? "")
        }
        let receiptsBefore = try await receiptNumbers(load, cashier: cashier)
        print("  \(billIDs.count) bills of ¥1,000,000 each; \(receiptsBefore.count) receipts issued today before the run")

        let script = try GatewayLoad.script(Self.paymentScript(billIDs), named: "payments")
        defer { try? FileManager.default.removeItem(at: script) }
        let hello = try await HelloWorldServer.serving { url in try load.wrk(name: "hello-world, \(connections) in flight", url: url) }
        let payments = try load.wrk(name: "POST /v1/bills/{id}/payments, \(connections) in flight", url: "\(target.gateway)/v1/bills",
                                    script: script.path, scriptArguments: [String(Int.random(in: 0..<1_000_000_000))], token: cashier)
        for result in [hello, payments] {
            print("  " + result.line)
            result.cpu.map { print("    " + $0.line) }
        }

        // Every receipt of the run, read back: the numbers must continue the series with no gap and no duplicate.
        let after = try await receiptNumbers(load, cashier: cashier)
        let issued = after.count - receiptsBefore.count
        let numbers = after.sorted()
        let gapless = numbers == Array((numbers.first ?? 1)...(numbers.last ?? 0)) && Set(numbers).count == numbers.count
        print("  receipts issued in the run: \(issued) (wrk counted \(payments.requests) answers, \(payments.non2xx) not 2xx); numbers \(numbers.first ?? 0)…\(numbers.last ?? 0), gapless: \(gapless)")
        let report = PaymentsBenchReport(connections: connections, seconds: seconds, bills: billIDs.count, helloWorld: hello, payments: payments,
                                         receiptsIssued: issued, receiptsGapless: gapless,
                                         paymentsToHelloWorld: payments.requestsPerSecond / max(1, hello.requestsPerSecond))
        print(String(format: "payments / hello-world throughput: %.3f", report.paymentsToHelloWorld))
        try writeReport(report, to: output)
        guard gapless else { throw ValidationError("the receipt numbers have a gap or a duplicate") }
    }

    /// Every receipt number issued today (the clinic's day), read page by page.
    private func receiptNumbers(_ load: GatewayLoad, cashier: String) async throws -> [Int64] {
        var numbers: [Int64] = []
        var token = ""
        repeat {
            let page = try await load.require("GET", "/v1/receipts?page_size=200" + (token.isEmpty ? "" : "&page_token=\(token)"),
                                              token: cashier, expect: [200])
            numbers += (page["receipts"] as? [[String: Any]] ?? []).compactMap { ($0["number"] as? String).flatMap { Int64($0) } }
            token = (page["nextPageToken"] as? String)?.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        } while !token.isEmpty
        return numbers
    }

    /// Each request a cash payment of ¥1 on the next bill (threads start apart), with a key of its own.
    static func paymentScript(_ billIDs: [String]) -> String {
        let list = billIDs.map { "\"\($0)\"" }.joined(separator: ",")
        return """
            local bills = {\(list)}
            local threads = {}
            function setup(thread)
              thread:set("tid", #threads)
              table.insert(threads, thread)
            end
            function init(args)
              run = args[1] or "0"
              counter = tid * 100000
              wrk.method = "POST"
              wrk.headers["Content-Type"] = "application/json"
              wrk.body = '{"method":"PAYMENT_METHOD_CASH","amountFen":"100"}'
            end
            function request()
              counter = counter + 1
              local bill = bills[(counter % #bills) + 1]
              wrk.headers["Idempotency-Key"] = "bench-" .. run .. "-" .. tid .. "-" .. counter
              return wrk.format(nil, "/v1/bills/" .. bill .. "/payments")
            end
            """
    }
}

/// What `clinic-bench payments` writes to its JSON file.
struct PaymentsBenchReport: Codable {
    var connections: Int
    var seconds: Int
    var bills: Int
    var helloWorld: WrkResult
    var payments: WrkResult
    var receiptsIssued: Int
    var receiptsGapless: Bool
    /// Payments per second / hello-world requests per second.
    var paymentsToHelloWorld: Double
}
