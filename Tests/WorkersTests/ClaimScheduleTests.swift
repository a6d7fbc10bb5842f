import Testing
import Workers

/// The claim thread's decisions, with the time as an argument.
@Suite struct ClaimScheduleTests {
    @Test func itClaimsAtOnceAtStartOnePerIdleWorker() {
        let schedule = ClaimSchedule(concurrency: 4, pollInterval: 1, leaseSeconds: 60)
        #expect(schedule.next(now: 0) == .claim(limit: 4))
    }

    @Test func itNeverClaimsMoreThanTheIdleWorkersCanStart() {
        var schedule = ClaimSchedule(concurrency: 4, pollInterval: 1, leaseSeconds: 60)
        #expect(schedule.claimed(4, limit: 4, now: 0) == [0, 1, 2, 3])
        #expect(schedule.idleWorkers == 0)
        #expect(schedule.next(now: 0.5) == .wait(until: 30), "every worker busy: nothing to claim until a renewal is due")
        schedule.finished(2)
        #expect(schedule.next(now: 0.6) == .claim(limit: 1))
    }

    @Test func aFullClaimIsFollowedByAnotherAndAShortOneWaitsForThePoll() {
        var schedule = ClaimSchedule(concurrency: 4, pollInterval: 1, leaseSeconds: 60)
        _ = schedule.claimed(2, limit: 4, now: 10)
        #expect(schedule.next(now: 10) == .wait(until: 11), "fewer than asked: nothing more is due until the next poll")
        #expect(schedule.next(now: 11) == .claim(limit: 2))
        _ = schedule.claimed(2, limit: 2, now: 11)
        schedule.finished(0)
        #expect(schedule.next(now: 11) == .claim(limit: 1), "a finished worker wakes the claim: a trade's next event may be due")
    }

    @Test func aWakeUpClaimsBeforeThePoll() {
        var schedule = ClaimSchedule(concurrency: 2, pollInterval: 5, leaseSeconds: 60)
        _ = schedule.claimed(0, limit: 2, now: 0)
        #expect(schedule.next(now: 1) == .wait(until: 5))
        schedule.wake()
        #expect(schedule.next(now: 1) == .claim(limit: 2))
    }

    @Test func aLeaseHalfSpentIsRenewedAndTheRenewalMovesTheNextOne() {
        var schedule = ClaimSchedule(concurrency: 2, pollInterval: 1, leaseSeconds: 20)
        _ = schedule.claimed(1, limit: 2, now: 0)
        _ = schedule.claimed(1, limit: 1, now: 4)
        #expect(schedule.next(now: 9.9) == .wait(until: 10))
        #expect(schedule.next(now: 10) == .renew(workers: [0]))
        schedule.renewed([0], now: 10)
        #expect(schedule.next(now: 10) == .wait(until: 14))
        #expect(schedule.next(now: 20) == .renew(workers: [0, 1]))
    }

    @Test func aRenewalOfAWorkerThatFinishedMeanwhileIsForgotten() {
        var schedule = ClaimSchedule(concurrency: 1, pollInterval: 1, leaseSeconds: 20)
        _ = schedule.claimed(1, limit: 1, now: 0)
        schedule.finished(0)
        schedule.renewed([0], now: 10)
        #expect(schedule.heldSince == [nil])
    }

    @Test func aFailedClaimWaitsForThePollInsteadOfSpinning() {
        var schedule = ClaimSchedule(concurrency: 2, pollInterval: 1, leaseSeconds: 20)
        schedule.claimFailed(now: 0)
        #expect(schedule.next(now: 0.1) == .wait(until: 1))
    }

    @Test func stoppedMeansStopWhateverIsDue() {
        var schedule = ClaimSchedule(concurrency: 2, pollInterval: 1, leaseSeconds: 20)
        _ = schedule.claimed(1, limit: 2, now: 0)
        schedule.stop()
        #expect(schedule.next(now: 100) == .stop)
    }
}
