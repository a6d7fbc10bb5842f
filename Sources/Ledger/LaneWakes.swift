/// The threads of a `LedgerLane` that wait for its state machine, each on
/// a condition of its own (`LaneLock`): which of them an event woke.
struct LaneWakes: OptionSet, Equatable, Sendable {
    let rawValue: UInt8
    static var writer: LaneWakes { LaneWakes(rawValue: 1) }
    static var syncer: LaneWakes { LaneWakes(rawValue: 2) }
    static var shutdown: LaneWakes { LaneWakes(rawValue: 4) }
}
