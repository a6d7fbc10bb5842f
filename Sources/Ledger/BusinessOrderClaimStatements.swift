/// The statements of business orders' claims, written once for both stores
/// (see `BusinessOrderClaims` for the rule they hold). A claim is a row
/// while it is held; letting it go deletes the row, and a lease that ran
/// out is taken over by the next claim.
enum BusinessOrderClaimStatements {
    /// Takes the claim unless another owner's lease is still running
    /// ($4, now): one row changed when taken, none otherwise.
    static let claim = SQLStatement("""
        INSERT INTO business_order_claims(business_order, lease_owner, lease_until, claimed_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (business_order) DO UPDATE
            SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until, claimed_at = excluded.claimed_at
            WHERE business_order_claims.lease_until <= excluded.claimed_at
        """)

    static let renew = SQLStatement("""
        UPDATE business_order_claims SET lease_until = $3 WHERE business_order = $1 AND lease_owner = $2
        """)

    static let release = SQLStatement("DELETE FROM business_order_claims WHERE business_order = $1 AND lease_owner = $2")

    static let releaseByPrefix = SQLStatement("""
        DELETE FROM business_order_claims WHERE substr(lease_owner, 1, length($1)) = $1
        """)
}
