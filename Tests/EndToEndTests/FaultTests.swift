import Dispatch
import Foundation
import Testing
import TestSupport

/// The ledger's disk and file misbehave while notifications arrive: the
/// daemon answers `fail` (503) for what it could not commit, never
/// `success`, keeps running, and records again once the fault is gone.
@Suite(.serialized) struct FaultTests {
    static let isRoot = getuid() == 0

    /// Posts each body once; returns the replies.
    static func postAll(_ bodies: ArraySlice<String>, to daemon: DaemonProcess, connections: Int = 4) -> [KeepAliveLoad.Reply] {
        KeepAliveLoad.post(Array(bodies), port: daemon.port, connections: connections)
    }

    /// Every body answered `success` is in the ledger, by notify_id.
    static func expectEverySuccessRecorded(_ bodies: [String], _ replies: [KeepAliveLoad.Reply], in daemon: DaemonProcess) throws {
        let recorded = Set(try daemon.sql("SELECT notify_id FROM notifications").split(separator: "\n").map(String.init))
        for (body, reply) in zip(bodies, replies) where reply.body == "success" {
            let notifyID = Fixtures.parameter("notify_id", in: body)!
            #expect(recorded.contains(notifyID), "answered success but not in the ledger: \(notifyID)")
        }
    }

    @Test(.enabled(if: isRoot, "mounting a small tmpfs needs root"))
    func aFullDiskIsAnswered503AndRecordingResumesWhenSpaceReturns() throws {
        let corpus = try SignedCorpus.paid(count: 800, seed: 21)
        let directory = TemporaryDirectory("fault-disk-full")
        let mountPoint = directory.file("small")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try #require(try ChildProcess.run("mount", ["-t", "tmpfs", "-o", "size=32m", "tmpfs", mountPoint]).status == 0)
        defer { _ = try? ChildProcess.run("umount", ["-l", mountPoint]) }

        let database = mountPoint + "/ledger.db"
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, database: database, extra: [
            "--accept-unknown-orders", "--min-free-disk", "1MiB"]), directory: directory)
        let first = Self.postAll(corpus[..<200], to: daemon)
        #expect(first.allSatisfy { $0.body == "success" }, "\(daemon.log)")
        let ready = try Curl.get(daemon.adminURL + "/readyz")
        try #require(ready.status == 200, "\(ready.body)")

        // Fill the filesystem up to its last 512 KiB, and let the
        // notifications take it from there to full.
        let free = try #require(try FileManager.default.attributesOfFileSystem(forPath: mountPoint)[.systemFreeSize] as? Int)
        _ = try ChildProcess.run("dd", ["if=/dev/zero", "of=\(mountPoint)/filler", "bs=64k", "count=\((free - 512 * 1024) / 65536)"])
        let duringFull = Self.postAll(corpus[200..<600], to: daemon)
        let failed = duringFull.filter { $0.body != "success" }
        #expect(failed.count > 0, "the disk never filled up")
        #expect(failed.count < 400, "nothing was recorded in the last 512 KiB")
        #expect(failed.allSatisfy { $0.status == 503 && $0.body == "fail" })
        #expect(try Curl.get(daemon.adminURL + "/livez").status == 200)
        #expect(try Curl.get(daemon.adminURL + "/readyz").status == 503)

        // Space returns: the rest and every retry of a failed one succeed.
        try FileManager.default.removeItem(atPath: mountPoint + "/filler")
        let retried = Array(corpus[200..<600].enumerated().filter { duringFull[$0.offset].body != "success" }.map(\.element))
        let afterwards = Self.postAll(corpus[600...] + retried, to: daemon)
        #expect(afterwards.allSatisfy { $0.body == "success" }, "\(afterwards.filter { $0.body != "success" }.count) not success; \(daemon.log.suffix(2000))")
        #expect(try Curl.get(daemon.adminURL + "/readyz").status == 200)

        try Self.expectEverySuccessRecorded(Array(corpus[200..<600]), duringFull, in: daemon)
        #expect(try daemon.sql("SELECT count(*) FROM notifications") == "800")
        #expect(try daemon.sql("SELECT count(*) FROM events WHERE kind = 'ship'") == "800")
        #expect(try daemon.sql("PRAGMA integrity_check") == "ok")
        print("hardening: disk full: tmpfs of 32 MiB filled by dd to its last 512 KiB, then by the notifications: \(failed.count) of 400 answered 503 fail, \(400 - failed.count) recorded before the last page went, every success in the ledger, daemon alive, readyz 503; after rm: 200 new + \(failed.count) retries all success, 800 notifications, 800 ship events, integrity ok")
        #expect(daemon.stop() == 0)
    }

    /// Nobody waits for another's busy timeout, and no event loop waits on
    /// the lock: a notification that finds the ledger locked is answered
    /// 503 once the one attempt it joined has waited the busy timeout (5 s),
    /// and the notify listener answers `/healthz` meanwhile.
    @Test func aLedgerLockedByAnotherProcessIsAnswered503UntilTheLockIsReleased() throws {
        let corpus = try SignedCorpus.paid(count: 65, seed: 22)
        let directory = TemporaryDirectory("fault-locked")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, extra: ["--accept-unknown-orders"]),
                                       directory: directory)
        // A quiet shop (one at a time): the event loops commit on their own thread.
        #expect(Self.postAll(corpus[..<20], to: daemon, connections: 1).allSatisfy { $0.body == "success" })

        // An operator's sqlite3 holds an exclusive transaction.
        let locker = try SpawnedProcess(["sqlite3", daemon.databasePath], input: true, output: .null)
        try locker.standardInput!.write(contentsOf: Data("BEGIN EXCLUSIVE;\n".utf8))
        usleep(300_000)
        let probes = HealthProbes(port: daemon.port)
        // Five at once, then twenty at once over twenty connections.
        let burst = Self.postAll(corpus[20..<25], to: daemon, connections: 5)
        let crowd = Self.postAll(corpus[25..<45], to: daemon, connections: 20)
        let healthz = probes.stop()
        try locker.standardInput!.write(contentsOf: Data("ROLLBACK;\n.quit\n".utf8))
        try locker.standardInput!.close()
        locker.waitUntilExit()

        let locked = burst + crowd
        #expect(locked.allSatisfy { $0.status == 503 && $0.body == "fail" })
        // Each within the busy timeout and a margin, and together: none after another's timeout.
        for (name, replies) in [("5", burst), ("20", crowd)] {
            let seconds = replies.map(\.seconds)
            let each = seconds.sorted().map { String(format: "%.1f", $0) }.joined(separator: ", ")
            #expect(seconds.allSatisfy { $0 < 7.5 }, "\(name) at once answered after \(each) s")
            #expect(seconds.max()! - seconds.min()! < 2.5, "\(name) at once answered after \(each) s")
        }
        #expect(!healthz.isEmpty)
        #expect(healthz.allSatisfy { $0 < 0.5 }, "GET /healthz took \(Self.figures(healthz)) s during the lock, \(healthz.filter { $0 >= 0.5 }.count) of \(healthz.count) 0.5 s or more")

        let retries = Self.postAll(corpus[20..<65], to: daemon)
        #expect(retries.allSatisfy { $0.body == "success" })
        try Self.expectEverySuccessRecorded(Array(corpus[20..<45]), locked, in: daemon)
        #expect(try daemon.sql("SELECT count(*) FROM notifications") == "65")
        print("hardening: locked ledger: sqlite3 holding BEGIN EXCLUSIVE: busy timeout 5 s; 5 at once answered 503 fail after \(Self.timing(burst)), 20 at once over 20 connections after \(Self.timing(crowd)); GET /healthz on the notify listener meanwhile \(healthz.count) times, slowest \(String(format: "%.0f", (healthz.max() ?? 0) * 1000)) ms; then all 45 success once released")
        #expect(daemon.stop() == 0)
    }

    /// Seconds as "a-b" (fastest to slowest), to one decimal.
    static func figures(_ seconds: [Double]) -> String {
        guard let low = seconds.min(), let high = seconds.max() else { return "none" }
        return String(format: "%.1f-%.1f", low, high)
    }

    /// Answer times as "a-b s (spread n ms)".
    static func timing(_ replies: [KeepAliveLoad.Reply]) -> String {
        let seconds = replies.map(\.seconds)
        return "\(figures(seconds)) s (spread \(String(format: "%.0f", ((seconds.max() ?? 0) - (seconds.min() ?? 0)) * 1000)) ms)"
    }

    /// `GET /healthz` on a fresh connection every 100 ms, each timed, on a
    /// thread of its own until `stop`: a new connection goes to the event
    /// loops in turn (the first one accepts), so a loop that waits on the
    /// ledger shows up as a slow answer.
    final class HealthProbes: @unchecked Sendable {
        private let lock = NSLock()
        private var seconds: [Double] = []
        private var stopping = false
        private let done = DispatchSemaphore(value: 0)

        init(port: UInt16) {
            Thread.detachNewThread { [self] in
                while !lock.withLock({ stopping }) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    var took = 30.0
                    do {
                        let client = try TCPClient(port: port, timeout: 30)
                        try client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        if try client.readResponses(1)[0].status == 200 {
                            took = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                        }
                    } catch {
                        took = 30   // no answer counts as the slowest
                    }
                    lock.withLock { seconds.append(took) }
                    usleep(100_000)
                }
                done.signal()
            }
        }

        /// Stops probing; every probe's time.
        func stop() -> [Double] {
            lock.withLock { stopping = true }
            done.wait()
            return lock.withLock { seconds }
        }
    }

    @Test(.enabled(if: isRoot, "running the daemon as another user needs root"))
    func aReadOnlyLedgerIsRefusedAtStartWithTheFileAndTheFix() throws {
        let directory = TemporaryDirectory("fault-read-only")
        try #require(try ChildProcess.run("chmod", ["0755", directory.path]).status == 0)
        let database = directory.file("ledger.db")
        _ = try DaemonProcess.command(["orders", "add", "--db", database, "RO1", "1.00"])
        try #require(try ChildProcess.run("chown", ["-R", "nobody:nogroup", directory.path]).status == 0)
        try #require(try ChildProcess.run("chmod", ["0444", database]).status == 0)
        let asNobody = ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory,
                                       waitForListening: false, launcher: asNobody)
        let deadline = Date().addingTimeInterval(10)
        while daemon.process.isRunning && Date() < deadline { usleep(10_000) }
        #expect(!daemon.process.isRunning, "the daemon runs on a ledger it cannot write")
        #expect(daemon.stop() == 1)
        #expect(daemon.log.contains("'\(database)' is read-only for this process"), "\(daemon.log)")
        #expect(daemon.log.contains("give the daemon's user write access"))
        #expect(!daemon.log.contains("listening on"))

        // Fixed, it starts and records.
        try #require(try ChildProcess.run("chmod", ["0644", database]).status == 0)
        let fixed = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory, extra: ["--accept-unknown-orders"]),
                                      directory: directory, launcher: asNobody)
        #expect(try Curl.post(fixed.notifyURL, body: SignedCorpus.paid(count: 1, seed: 23)[0]).body == "success")
        #expect(fixed.stop() == 0)
        print("hardening: read-only ledger: refused at start (exit 1) naming the file and the fix; after chmod it records")
    }
}
