/// The renewal of a claim's lease, for each kind of claimed work: only
/// while the owner still holds it, and only while it is still work (a
/// decision recorded meanwhile, which ends the claim, is never undone).
enum LeaseStatements {
    /// An order's next query time is its lease's end.
    static let renewOrder = SQLStatement("""
        UPDATE orders SET next_query_at = $2
        WHERE out_trade_no = $1 AND lease_owner = $3 AND next_query_at IS NOT NULL AND state <> 'paid' AND state <> 'closed'
        """)

    /// A refund request's next attempt time is its lease's end.
    static let renewRefund = SQLStatement("""
        UPDATE refund_requests SET next_attempt_at = $3
        WHERE out_trade_no = $1 AND request_no = $2 AND lease_owner = $4 AND next_attempt_at IS NOT NULL AND state = 'pending'
        """)

    /// An event's lease has its own end.
    static let renewEvent = SQLStatement("""
        UPDATE events SET lease_until = $2 WHERE id = $1 AND lease_owner = $3 AND state = 'pending'
        """)
}
