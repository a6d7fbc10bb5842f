import AlipayNotify

/// Applies one submission inside a store's transaction: the business checks
/// that need the database, the duplicate check, the state machine, and the
/// rows it decided. The same code serves every store.
struct NotificationRecorder {
    let policy: LedgerPolicy

    /// The outcome, and whether the caller must roll the submission's
    /// savepoint back (a duplicate found after rows were written).
    func apply(_ submission: LedgerSubmission, in transaction: some LedgerTransaction) throws -> (LedgerOutcome, rollBack: Bool) {
        let now = Timestamp.now()
        switch submission {
        case .quarantine(let entry):
            try transaction.quarantine(entry, at: now)
            return (.rejected(entry.reason), false)

        case .notification(let accepted):
            let notification = accepted.notification
            if try transaction.notificationExists(notification.notifyID) {
                return (.duplicate, false)
            }
            let order = try transaction.order(notification.outTradeNo)
            if let rejection = check(notification, against: order) {
                try transaction.quarantine(QuarantineEntry(
                    reason: rejection, notifyID: notification.notifyID, outTradeNo: notification.outTradeNo,
                    appID: notification.appID, totalAmount: notification.totalAmount.description, rawBody: accepted.rawBody
                ), at: now)
                return (.rejected(rejection), false)
            }

            let trade = try transaction.lockTrade(notification.outTradeNo)
            var payingSerial: String?
            if let businessOrder = order?.businessOrder, notification.tradeStatus.meansPaid,
               trade?.paid != true, trade?.closeReason == nil {
                payingSerial = try transaction.claimBusinessOrder(businessOrder, outTradeNo: notification.outTradeNo, at: now)
            }
            let decision = TradeStateMachine.apply(notification, to: trade, businessOrderPaidBy: payingSerial)
            guard try transaction.insertNotification(accepted, decision: decision.summary) else {
                return (.duplicate, true)
            }
            try transaction.saveTrade(decision.trade, businessOrder: order?.businessOrder, at: now)
            if decision.trade.shipped && trade?.shipped != true {
                try transaction.insertShipment(decision.trade, notifyID: notification.notifyID, at: now)
            }
            let context = EventContext(
                outTradeNo: notification.outTradeNo, notifyID: notification.notifyID,
                tradeNo: decision.trade.tradeNo, businessOrder: order?.businessOrder, createdAt: now
            )
            for event in decision.events {
                try transaction.insertEvent(event, context: context)
            }
            return (.recorded(decision), false)
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
