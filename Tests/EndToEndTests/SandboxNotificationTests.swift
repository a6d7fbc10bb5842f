import Foundation
import Testing
import TestSupport

/// alipay-sandbox against the real daemon: a payment's notification arrives
/// signed as Alipay signs it, and is sent again on Alipay's schedule until
/// the daemon answers `success`.
@Suite struct SandboxNotificationTests {
    func order(_ directory: TemporaryDirectory, _ outTradeNo: String, _ amount: String) throws {
        let result = try DaemonProcess.command(["orders", "add", "--db", directory.file("ledger.db"), outTradeNo, amount])
        #expect(result.status == 0, "\(result.stderr)")
    }

    func shipped(_ directory: TemporaryDirectory, _ outTradeNo: String, within seconds: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let shown = try DaemonProcess.command(["trade", "show", "--db", directory.file("ledger.db"), outTradeNo, "--json"])
            if shown.stdout.contains("\"shipped\":true") { return true }
            usleep(100_000)
        }
        return false
    }

    @Test func aSandboxPaymentIsNotifiedVerifiedAndShippedOnce() throws {
        let directory = TemporaryDirectory("e2e-sandbox-pay")
        try order(directory, "SB1", "88.88")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        let sandbox = try SandboxProcess()
        try sandbox.command(["pay", "SB1", "88.88", "--notify-url", daemon.notifyURL])
        #expect(try shipped(directory, "SB1", within: 10), "\(sandbox.log)")
        #expect(try daemon.sql("SELECT count(*) FROM shipments") == "1")
        #expect(sandbox.log.contains("notification delivered to \(daemon.notifyURL) on try 1"))
    }

    @Test func aRefusedNotificationIsSentAgainOnAlipaysScheduleUntilSuccess() throws {
        let directory = TemporaryDirectory("e2e-sandbox-retry")
        let daemon = try DaemonProcess(arguments: DaemonProcess.fixtureArguments(directory), directory: directory)
        let sandbox = try SandboxProcess()
        // 4 minutes at 240x is one second: the first try finds no order (fail, 422).
        try sandbox.command(["pay", "SB2", "12.00", "--notify-url", daemon.notifyURL, "--time-scale", "240"])
        let deadline = Date().addingTimeInterval(10)
        while !sandbox.log.contains("try 1 to") && Date() < deadline { usleep(20_000) }
        #expect(sandbox.log.contains("try 1 to \(daemon.notifyURL): HTTP 422"), "\(sandbox.log)")
        try order(directory, "SB2", "12.00")
        #expect(try shipped(directory, "SB2", within: 15), "\(sandbox.log)")
        // Sent again after the refusal: on the second try, or a later one
        // when the order came after the second (a slow machine).
        #expect(sandbox.log.contains("notification delivered to \(daemon.notifyURL) on try"), "\(sandbox.log)")
        #expect(!sandbox.log.contains("on try 1\n"), "\(sandbox.log)")
    }
}
