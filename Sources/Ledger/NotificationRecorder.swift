import AlipayNotify

/// Applies one submission inside a store's transaction: the business checks
/// that need the database, the state machine, and the rows it decided. The
/// same code serves every store.
///
/// The common path costs five statements: the order, the trade, the
/// notification (whose unique notify_id is the duplicate check), the trade
/// again, and the events. Nothing is written before the notification row is
/// known to be new, so a duplicate needs no rollback.
struct NotificationRecorder {
    let policy: LedgerPolicy

    func apply(_ submission: LedgerSubmission, in transaction: some LedgerTransaction) throws -> LedgerOutcome {
        let now = Timestamp.now()
        switch submission {
        case .quarantine(let entry):
            try transaction.quarantine(entry, at: now)
            return .rejected(entry.reason)

        case .notification(let accepted):
            let notification = accepted.notification
            let order = try transaction.order(notification.outTradeNo)
            if let rejection = check(notification, against: order) {
                // Recorded before (when the checks passed)? Then it stays a success.
                if try transaction.notificationExists(notification.notifyID) { return .duplicate }
                try transaction.quarantine(QuarantineEntry(
                    reason: rejection, notifyID: notification.notifyID, outTradeNo: notification.outTradeNo,
                    appID: notification.appID, totalAmount: notification.totalAmount.description, rawBody: accepted.rawBody
                ), at: now)
                return .rejected(rejection)
            }

            let businessOrder = order?.businessOrder
            let trade = try transaction.lockTrade(notification.outTradeNo, businessOrder: businessOrder)
            var payingSerial: String?
            if let businessOrder, notification.tradeStatus.meansPaid, trade?.paid != true, trade?.closeReason == nil {
                payingSerial = try transaction.businessOrderPayer(businessOrder) ?? notification.outTradeNo
            }
            let decision = TradeStateMachine.apply(notification, to: trade, businessOrderPaidBy: payingSerial)
            guard try transaction.insertNotification(accepted, decision: decision.summary) else {
                return .duplicate
            }
            if let businessOrder, payingSerial == notification.outTradeNo {
                try transaction.claimBusinessOrder(businessOrder, outTradeNo: notification.outTradeNo, at: now)
            }
            let shippedNow = decision.trade.shipped && trade?.shipped != true
            try transaction.saveTrade(
                decision.trade, businessOrder: businessOrder,
                shipment: shippedNow ? ShipmentFacts(notifyID: notification.notifyID, shippedAt: now) : nil, at: now
            )
            if !decision.events.isEmpty {
                let context = EventContext(
                    outTradeNo: notification.outTradeNo, notifyID: notification.notifyID,
                    tradeNo: decision.trade.tradeNo, businessOrder: businessOrder, createdAt: now
                )
                for event in decision.events {
                    try transaction.insertEvent(event, context: context)
                }
            }
            return .recorded(decision)
        }
    }

    /// The checks against the registered order; nil when it passes.
    func check(_ notification: Notification, against order: MerchantOrder?) -> RejectionReason? {
        guard let order else {
            return policy.acceptsUnknownOrders ? nil : .unknownOrder(outTradeNo: notification.outTradeNo)
        }
        if order.totalAmount != notification.totalAmount {
            return .amountMismatch(outTradeNo: order.outTradeNo, expected: order.totalAmount, received: notification.totalAmount)
        }
        return nil
    }
}
