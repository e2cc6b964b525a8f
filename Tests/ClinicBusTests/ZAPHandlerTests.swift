@testable import ClinicBus
import Testing

@Suite struct ZAPHandlerTests {
    static let key = try! CurveKeyPair.generate()

    static func request(domain: String = "clinic-bus", mechanism: String = "CURVE", credentials: [[UInt8]]) -> [[UInt8]] {
        [Array("1.0".utf8), Array("7".utf8), Array(domain.utf8), Array("10.0.0.9".utf8), [], Array(mechanism.utf8)] + credentials
    }

    static func binary(_ z85: String) -> [UInt8] { CurveKey.binary(z85) ?? [] }

    static func answer(_ request: [[UInt8]]) -> ZAPHandler.Answer {
        ZAPHandler.answer(request, domain: "clinic-bus") { $0 == key.publicKey ? "imaging" : nil }
    }

    @Test func aListedCurveKeyIsAdmittedWithItsNameAsUserID() {
        let answer = Self.answer(Self.request(credentials: [Self.binary(Self.key.publicKey)]))
        #expect(answer.outcome == .admitted(name: "imaging"))
        #expect(answer.reply == [Array("1.0".utf8), Array("7".utf8), Array("200".utf8), Array("OK".utf8), Array("imaging".utf8), []])
    }

    @Test func everythingElseIsRefused() {
        let other = Self.binary((try? CurveKeyPair.generate().publicKey) ?? "")
        for request in [Self.request(credentials: [other]),
                        Self.request(mechanism: "NULL", credentials: []),
                        Self.request(mechanism: "PLAIN", credentials: [Array("u".utf8), Array("p".utf8)]),
                        Self.request(domain: "other", credentials: [Self.binary(Self.key.publicKey)]),
                        Self.request(credentials: [[1, 2, 3]])] {
            let answer = Self.answer(request)
            #expect(answer.reply[2] == Array("400".utf8))
            #expect(answer.reply[1] == Array("7".utf8))
            #expect(answer.reply[4].isEmpty)
            guard case .refused(_, let address) = answer.outcome else {
                Issue.record("admitted \(request)")
                continue
            }
            #expect(address == "10.0.0.9")
        }
        let malformed = Self.answer([Array("2.0".utf8), Array("7".utf8)])
        #expect(malformed.reply.count == 6 && malformed.reply[2] == Array("500".utf8))
    }

    @Test func refusalsAreLoggedOncePerAddressPerInterval() {
        var log = RefusalLog(interval: 1000)
        #expect(log.shouldLog("a", now: 0) == 0)
        #expect(log.shouldLog("a", now: 10) == nil)
        #expect(log.shouldLog("a", now: 20) == nil)
        #expect(log.shouldLog("b", now: 30) == 0)
        #expect(log.shouldLog("a", now: 1001) == 2)
    }
}
