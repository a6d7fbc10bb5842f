/// How every store records a batch: all of it in one transaction; if that
/// fails for a reason other than the database being unavailable, each
/// submission again in a transaction of its own, so that one bad
/// submission costs only its own answer.
package enum BatchRecording {
    package static func record(
        _ batch: [LedgerSubmission],
        databaseUnavailable: (any Error) -> Bool,
        inOneTransaction: ([LedgerSubmission]) throws -> [LedgerOutcome]
    ) throws -> [LedgerOutcome] {
        do {
            return try inOneTransaction(batch)
        } catch where databaseUnavailable(error) || batch.count == 1 {
            throw error
        } catch {
            return batch.map { submission in
                do {
                    return try inOneTransaction([submission])[0]
                } catch {
                    return .unavailable("\(error)")
                }
            }
        }
    }
}
