// ActiveSide: the daemon asking Alipay.
//
// Owns every call the daemon makes to Alipay's gateway and what it does with
// the answer: the signed client (`AlipayGatewayClient`), the turns every call
// takes (`GatewayTurns`: so many at once, so many per second, money first),
// the reconciler's step for one claimed order (query, close at expiry), the
// refunder's step for one refund request, payment serials, operator refunds,
// and the pure policies that decide what comes next. A verified answer is a
// trade observation recorded through the ledger like a notification; an
// unverified one decides nothing. The steps are written against
// `GatewayCalling`, so they are tested with an Alipay in the same process.
