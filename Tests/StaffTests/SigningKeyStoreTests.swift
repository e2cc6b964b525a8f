import ClinicService
import ClinicStore
import ClinicTestSupport
import Foundation
import Testing
@testable import Staff

/// Signing keys made and replaced by several instances at once.
@Suite("Signing keys")
struct SigningKeyStoreTests {
    /// A fresh, migrated staff schema.
    func freshSchema() async throws -> String {
        try await onThread {
            let url = try TestDatabase.shared().makeService(prefix: "staff_keys").url
            try ServiceHost.migrate(try StaffService.definition(configuration: StaffHarness.testConfiguration), databaseURL: url,
                                    logger: TestDatabase.logger)
            return url
        }
    }

    /// Runs `body` on `count` threads at once, each with its own connection.
    func together<T: Sendable>(_ count: Int, url: String, _ body: @escaping @Sendable (Connection) throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: T.self) { group in
            for _ in 0..<count {
                group.addTask {
                    try await onThread {
                        let db = try Connection(url: url, logger: TestDatabase.logger)
                        defer { db.close() }
                        return try body(db)
                    }
                }
            }
            return try await group.reduce(into: [T]()) { $0.append($1) }
        }
    }

    func keys(_ url: String) async throws -> [(id: String, current: Bool, hasPrivateKey: Bool)] {
        try await onThread {
            let db = try Connection(url: url, logger: TestDatabase.logger)
            defer { db.close() }
            return try db.query("SELECT key_id, retired_at IS NULL AS current, private_key IS NOT NULL AS private FROM signing_keys")
                .map { (try $0.decode("key_id"), try $0.decode("current"), try $0.decode("private")) }
        }
    }

    @Test func instancesStartingTogetherMakeOneKey() async throws {
        let url = try await freshSchema()
        let seen = try await together(6, url: url) { db in try SigningKeyStore.current(on: db).keyID }
        #expect(Set(seen).count == 1)
        #expect(try await keys(url).map(\.id) == [seen[0]])
    }

    @Test func rotationsTogetherLeaveOneCurrentKey() async throws {
        let url = try await freshSchema()
        let first = try await together(1, url: url) { db in try SigningKeyStore.current(on: db).keyID }[0]
        let made = try await together(4, url: url) { db in try SigningKeyStore.rotate(on: db).keyID }
        let stored = try await keys(url)
        #expect(stored.count == 5 && Set(made).count == 4 && !made.contains(first))
        #expect(stored.filter(\.current).count == 1)
        // Only the current key keeps its private half.
        #expect(stored.filter(\.hasPrivateKey).map(\.id) == stored.filter(\.current).map(\.id))
    }

    @Test func theJobMakesTheFirstKeyThenRotatesOnlyWhenDue() async throws {
        let url = try await freshSchema()
        let now = Date()
        let outcomes = try await together(1, url: url) { db -> [SigningKeyStore.Renewal?] in
            [try SigningKeyStore.rotateIfDue(period: .seconds(3600), now: now, on: db),
             try SigningKeyStore.rotateIfDue(period: .seconds(3600), now: now, on: db),
             try SigningKeyStore.rotateIfDue(period: .seconds(3600), now: now.addingTimeInterval(3601), on: db)]
        }[0]
        guard case .first = outcomes[0], outcomes[1] == nil, case .rotated = outcomes[2] else {
            Issue.record("expected first, nothing, rotated; got \(outcomes)")
            return
        }
    }
}
