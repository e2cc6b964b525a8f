/// Answers a batch item by item when part of the work is done for all of them at once: items that fail on their
/// own keep their own failure, the rest are served together, and every item gets exactly one answer, in order.
public enum BatchAnswers {
    /// The batch step gave a different number of answers than it was given work.
    public struct Miscount: Error {
        /// Work items handed over, and answers that came back.
        public var given: Int, answered: Int

        /// A miscount of `answered` answers for `given` work items.
        @inlinable
        public init(given: Int, answered: Int) {
            self.given = given
            self.answered = answered
        }
    }

    /// `prepare` turns each item into work or throws that item's failure; `together` does all the prepared work
    /// at once and gives one result per work item, in order. When `together` throws, or miscounts, every prepared
    /// item fails with that error.
    /// Inlinable, so each caller gets a copy specialised to its types rather than generic code on its hot path.
    @inlinable
    public static func answer<Item, Work, Answer>(
        _ items: [Item], prepare: (Item) throws -> Work, together: ([Work]) throws -> [Result<Answer, any Error>]
    ) -> [Result<Answer, any Error>] {
        var answers = [Result<Answer, any Error>?](repeating: nil, count: items.count)
        var work: [Work] = []
        var positions: [Int] = []
        work.reserveCapacity(items.count)
        for (position, item) in items.enumerated() {
            do {
                work.append(try prepare(item))
                positions.append(position)
            } catch {
                answers[position] = .failure(error)
            }
        }
        if !work.isEmpty {
            var results: [Result<Answer, any Error>]
            do {
                results = try together(work)
                if results.count != work.count { throw Miscount(given: work.count, answered: results.count) }
            } catch {
                results = Array(repeating: .failure(error), count: work.count)
            }
            for (position, result) in zip(positions, results) { answers[position] = result }
        }
        return answers.map { $0! }
    }
}
