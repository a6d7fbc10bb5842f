import AdminAPI
import AlipayNotify
import ArgumentParser
import Ledger
import NotifyDaemon

/// `alipay-notifyd events`: the outbox, for operators and for a consumer of
/// the `none` sink.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "List, redeliver, claim and acknowledge outbox events (ship, refund, close, duplicate_payment).",
        discussion: """
            With 'sink = none' your own consumer takes events: 'events claim' leases the events \
            that may be handled now (at most one per order, in order) and prints them as JSON \
            lines; 'events ack ID' marks one done. A claim not acknowledged within its lease is \
            claimable again, so a consumer that dies loses nothing. By SQL: SELECT … FROM events \
            WHERE state = 'pending' ORDER BY seq; UPDATE events SET state = 'delivered' WHERE id = ….
            """,
        subcommands: [List.self, Redeliver.self, Claim.self, Ack.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List events, oldest first.")
        @OptionGroup var ledger: LedgerOptions
        @Option(help: "pending, delivered or dead.") var state: String?
        @Option(help: "ship, refund, close or duplicate_payment.") var kind: String?
        @Option(help: "How many at most.") var limit = 100
        @Flag(help: "Print JSON (the same document as GET /events).") var json = false

        func run() throws {
            let parsedState = try state.map { text throws -> OutboxEventState in
                guard let value = OutboxEventState(rawValue: text) else { throw ValidationError("--state must be pending, delivered or dead") }
                return value
            }
            let parsedKind = try kind.map { text throws -> LedgerEventKind in
                guard let value = LedgerEventKind(rawValue: text) else { throw ValidationError("--kind must be ship, refund, close or duplicate_payment") }
                return value
            }
            let events = try ledger.open().events(state: parsedState, kind: parsedKind, limit: limit)
            if json {
                print(LedgerJSON.events(events))
                return
            }
            print("ID".padding(36) + "KIND".padding(18) + "STATE".padding(11) + "AMOUNT".padding(12) + "ATTEMPTS".padding(10) + "CREATED_AT / LAST ERROR")
            for event in events {
                let note = event.state == .delivered ? event.createdAt : (event.lastError ?? event.createdAt)
                print(event.id.padding(36) + event.kind.rawValue.padding(18) + event.state.rawValue.padding(11)
                      + event.amount.description.padding(12) + "\(event.attempts)".padding(10) + note)
            }
        }
    }

    struct Redeliver: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a dead event back to pending (once the sink works again).")
        @OptionGroup var ledger: LedgerOptions
        @Argument(help: "The event id, e.g. ORDER1/ship.") var id: String

        func run() throws {
            switch try ledger.open().redeliver(id) {
            case .redelivered:
                print("event \(id) is pending again; the dispatcher delivers it next")
            case .notFound:
                StandardError.print("alipay-notifyd events redeliver: no event \(id) ('events list --state dead' shows the dead ones)")
                throw ExitCode(1)
            case .notDead(let state):
                StandardError.print("alipay-notifyd events redeliver: event \(id) is \(state.rawValue); only dead events are redelivered")
                throw ExitCode(1)
            }
        }
    }

    struct Claim: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lease events that may be handled now and print them as JSON lines.")
        @OptionGroup var ledger: LedgerOptions
        @Option(help: "How many at most.") var limit = 10
        @Option(help: "Lease length in seconds: unacknowledged events are claimable again after it.") var lease = 300
        @Option(help: "Who claims (kept in lease_owner).") var owner = "cli"
        @Flag(help: "Print JSON lines (what claim always prints; accepted like every command that prints JSON).") var json = false

        func run() throws {
            guard lease > 0, limit > 0 else { throw ValidationError("--lease and --limit must be positive") }
            for event in try ledger.open().claimEvents(owner: owner, limit: limit, leaseSeconds: Double(lease)) {
                print(event.jsonDocument(attempt: event.attempts + 1))
            }
        }
    }

    struct Ack: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a claimed (or any pending) event as delivered.")
        @OptionGroup var ledger: LedgerOptions
        @Argument(help: "The event id.") var id: String

        func run() throws {
            let store = try ledger.open()
            if try store.markDelivered(id, owner: nil) {
                print("event \(id) acknowledged")
                return
            }
            let state = try store.event(id)?.state
            StandardError.print("alipay-notifyd events ack: " + (state.map { "event \(id) is \($0.rawValue), not pending" } ?? "no event \(id)"))
            throw ExitCode(1)
        }
    }
}
