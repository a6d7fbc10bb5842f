/// A business order's claim, held by one request for a new payment serial
/// at a time, in the ledger: an owner and a lease, taken in a short
/// transaction before earlier serials are closed at Alipay and let go
/// after the new serial is registered. Two requests (in one daemon, in
/// several sharing the ledger, or a command beside a daemon) therefore
/// never hand out serials of one business order at once, and no lock is
/// held across a call to Alipay: a slow close holds up its own business
/// order only. See `SQLLedgerStore+BusinessOrderClaims.swift`.
public protocol BusinessOrderClaims: AnyObject {
    /// Takes the claim for `owner` until `leaseSeconds` from now; false
    /// when another owner holds a lease that has not run out.
    func claimBusinessOrder(_ businessOrder: String, owner: String, leaseSeconds: Double) throws -> Bool
    /// Extends `owner`'s claim to `leaseSeconds` from now; false when the
    /// claim is not (or no longer) the owner's.
    func renewBusinessOrderClaim(_ businessOrder: String, owner: String, leaseSeconds: Double) throws -> Bool
    /// Lets `owner`'s claim go; false when it held none.
    @discardableResult func releaseBusinessOrderClaim(_ businessOrder: String, owner: String) throws -> Bool
    /// Lets go of every claim whose owner starts with `prefix` (a daemon
    /// restarting on a ledger of its own takes back what its earlier life held).
    @discardableResult func releaseBusinessOrderClaims(ownerPrefix prefix: String) throws -> Int
    /// Registers `order` (a serial of its business order) only while
    /// `owner` holds the business order's claim, renewed to `leaseSeconds`
    /// from now in the same transaction.
    func addSerial(_ order: MerchantOrder, firstQueryAt: String?, claimedBy owner: String, leaseSeconds: Double) throws -> SerialRegistration
}

/// What became of registering a serial under its business order's claim.
public enum SerialRegistration: Sendable, Equatable {
    /// Registered: the serial is handed out.
    case added
    /// That `out_trade_no` is taken already (by an earlier serial, or an
    /// order registered by other means): nothing written, try the next.
    case taken
    /// The claim is not the owner's any more (its lease ran out and
    /// another request took it): nothing written.
    case claimLost
}
