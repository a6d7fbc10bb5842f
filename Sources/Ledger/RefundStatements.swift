import AlipayNotify

/// The refunder's statements, written once for both stores (see
/// `SQLLedgerStore+Refunds.swift` for the rules they serve).
enum RefundStatements {
    static let columns = """
        out_trade_no, request_no, amount_fen, reason, origin, state, attempts, next_call, next_attempt_at, unknown_since,
        sent_at, last_answer, sub_code, created_at, updated_at, lease_owner
        """

    static func request(_ row: some SQLRow) -> RefundRequest {
        RefundRequest(outTradeNo: row.text(0), requestNo: row.text(1), amount: Fen(row.int(2)), reason: row.text(3),
                      origin: RefundOrigin(rawValue: row.text(4)) ?? .operator, state: RefundState(rawValue: row.text(5)) ?? .pending,
                      attempts: Int(row.int(6)), nextCall: RefundCall(rawValue: row.text(7)) ?? .refund, nextAttemptAt: row.optionalText(8),
                      unknownSince: row.optionalText(9), sentAt: row.optionalText(10), lastAnswer: row.optionalText(11),
                      subCode: row.optionalText(12), createdAt: row.text(13), updatedAt: row.text(14), leaseOwner: row.optionalText(15))
    }

    static let insert = SQLStatement("""
        INSERT INTO refund_requests(out_trade_no, request_no, amount_fen, reason, origin, state, next_call, next_attempt_at,
                                    created_at, updated_at, lease_owner)
        VALUES ($1, $2, $3, $4, $5, 'pending', 'refund', $6, $7, $7, $8)
        ON CONFLICT (out_trade_no, request_no) DO NOTHING
        """)

    static func insertValues(_ request: RefundRequest) -> [SQLValue] {
        [.text(request.outTradeNo), .text(request.requestNo), .integer(request.amount.value), .text(request.reason),
         .text(request.origin.rawValue), .optional(request.nextAttemptAt), .text(request.createdAt), .optional(request.leaseOwner)]
    }

    static let one = SQLStatement("SELECT \(columns) FROM refund_requests WHERE out_trade_no = $1 AND request_no = $2")

    static let ofTrade = SQLStatement("SELECT \(columns) FROM refund_requests WHERE out_trade_no = $1 ORDER BY created_at, request_no")

    static let byRequestNo = SQLStatement("SELECT \(columns) FROM refund_requests WHERE request_no = $1 ORDER BY created_at LIMIT 2")

    /// What is promised back already: succeeded, and not known to have failed.
    static let amounts = SQLStatement("""
        SELECT coalesce(sum(CASE WHEN state = 'succeeded' THEN amount_fen ELSE 0 END), 0),
               coalesce(sum(CASE WHEN state = 'pending' OR state = 'attention' THEN amount_fen ELSE 0 END), 0)
        FROM refund_requests WHERE out_trade_no = $1
        """)

    static func claimLock(_ dialect: SQLDialect) -> SQLStatement? {
        dialect == .postgres ? postgresClaim : nil
    }

    static let postgresClaim = SQLStatement("SELECT pg_advisory_xact_lock(\(postgresClaimLock))")

    static let postgresClaimLock: Int64 = 0x414C_4950_4159_0004

    static let due = SQLStatement("""
        SELECT out_trade_no, request_no FROM refund_requests WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2
        """)

    /// The claim: the next attempt's time becomes the lease's end.
    static let claim = SQLStatement("""
        UPDATE refund_requests SET next_attempt_at = $3, lease_owner = $4
        WHERE out_trade_no = $1 AND request_no = $2 AND next_attempt_at <= $5
        RETURNING \(columns)
        """)

    static let release = SQLStatement("""
        UPDATE refund_requests SET next_attempt_at = $2, lease_owner = NULL
        WHERE lease_owner IS NOT NULL AND substr(lease_owner, 1, length($1)) = $1 AND next_attempt_at IS NOT NULL
        """)

    /// An attempt begins: counted, and for a refund call, the time it was
    /// sent; until its answer is recorded, the next call is the refund
    /// query (if this process dies, the refund may have reached Alipay).
    static let attempt = SQLStatement("""
        UPDATE refund_requests SET attempts = attempts + 1, sent_at = CASE WHEN $3::boolean THEN $4 ELSE sent_at END,
                                   next_call = CASE WHEN $3::boolean THEN 'query' ELSE next_call END, updated_at = $4
        WHERE out_trade_no = $1 AND request_no = $2 AND state <> 'succeeded' AND state <> 'failed'
          AND ($5::text IS NULL OR lease_owner = $5)
        """)

    static let update = SQLStatement("""
        UPDATE refund_requests SET state = $3, next_call = $4, next_attempt_at = $5, unknown_since = $6, last_answer = $7,
                                   sub_code = $8, lease_owner = $9, updated_at = $10
        WHERE out_trade_no = $1 AND request_no = $2 AND state <> 'succeeded' AND state <> 'failed'
          AND ($11::text IS NULL OR lease_owner = $11)
        """)

    static func updateValues(_ update: RefundUpdate, owner: String?) -> [SQLValue] {
        [.text(update.outTradeNo), .text(update.requestNo), .text(update.state.rawValue), .text(update.nextCall.rawValue),
         .optional(update.nextAttemptAt), .optional(update.unknownSince), .optional(update.lastAnswer.map { String($0.prefix(500)) }),
         .optional(update.subCode), .optional(update.holder), .text(Timestamp.now()), .optional(owner)]
    }

    /// A person asks for another try now: the retry window starts again.
    static let retry = SQLStatement("""
        UPDATE refund_requests SET state = 'pending', unknown_since = NULL, next_attempt_at = $3, lease_owner = NULL, updated_at = $3
        WHERE out_trade_no = $1 AND request_no = $2 AND (state = 'pending' OR state = 'attention')
        """)

    static let countsByState = SQLStatement("SELECT state, count(*) FROM refund_requests GROUP BY state")

    static let oldestAttention = SQLStatement("""
        SELECT unknown_since FROM refund_requests WHERE state = 'attention' ORDER BY unknown_since LIMIT 1
        """)
}
