import Dispatch
import Synchronization
import Testing

@testable import SwiftletRuntime

@Suite("ConcurrencyLimiter")
struct ConcurrencyLimiterTests {
    static let account = "123456789012"
    static let region = "us-east-1"

    private func limiter(limit: Int, reserved: Int = 0) -> ConcurrencyLimiter {
        ConcurrencyLimiter(accountLimit: limit) { _, _ in reserved }
    }

    private func acquire(
        _ limiter: ConcurrencyLimiter, _ name: String, reserved: Int?
    ) -> Result<ConcurrencyLimiter.Permit, ThrottleReason> {
        limiter.acquire(accountId: Self.account, region: Self.region, name: name, reserved: reserved)
    }

    @Test func aReservationCapsItsFunctionAndAReleaseFreesASlot() throws {
        let limiter = limiter(limit: 10, reserved: 2)
        let first = try acquire(limiter, "f", reserved: 2).get()
        _ = try acquire(limiter, "f", reserved: 2).get()

        #expect(throws: ThrottleReason.reservedLimit) { try acquire(limiter, "f", reserved: 2).get() }
        first.release()
        #expect(throws: Never.self) { try acquire(limiter, "f", reserved: 2).get() }
        #expect(limiter.inFlight(accountId: Self.account, region: Self.region, name: "f") == 2)
    }

    @Test func zeroRefusesEveryInvocation() {
        let limiter = limiter(limit: 10)

        #expect(throws: ThrottleReason.reservedLimit) { try acquire(limiter, "stopped", reserved: 0).get() }
    }

    @Test func unreservedFunctionsShareWhatReservationsLeave() throws {
        let limiter = limiter(limit: 5, reserved: 3)
        _ = try acquire(limiter, "a", reserved: nil).get()
        _ = try acquire(limiter, "b", reserved: nil).get()

        #expect(throws: ThrottleReason.accountLimit) { try acquire(limiter, "c", reserved: nil).get() }
        // The reserved function's capacity is its own, whatever the shared pool holds.
        #expect(throws: Never.self) { try acquire(limiter, "r", reserved: 3).get() }
        #expect(limiter.unreservedInFlight(accountId: Self.account, region: Self.region) == 2)
    }

    @Test func aChangedReservationTotalResizesTheSharedPool() throws {
        let limiter = limiter(limit: 4, reserved: 3)
        _ = try acquire(limiter, "a", reserved: nil).get()
        #expect(throws: ThrottleReason.accountLimit) { try acquire(limiter, "b", reserved: nil).get() }

        limiter.setReserved(1, accountId: Self.account, region: Self.region)

        #expect(throws: Never.self) { try acquire(limiter, "b", reserved: nil).get() }
        #expect(throws: Never.self) { try acquire(limiter, "c", reserved: nil).get() }
        #expect(throws: ThrottleReason.accountLimit) { try acquire(limiter, "d", reserved: nil).get() }
    }

    @Test func regionsAndFunctionsCountApart() throws {
        let limiter = limiter(limit: 1)
        _ = try limiter.acquire(accountId: Self.account, region: "us-east-1", name: "f", reserved: nil).get()
        _ = try limiter.acquire(accountId: Self.account, region: "eu-west-1", name: "f", reserved: nil).get()
        _ = try acquire(limiter, "g", reserved: 1).get()

        #expect(throws: Never.self) { try acquire(limiter, "h", reserved: 1).get() }
    }

    @Test func racingAcquiresNeverAdmitMoreThanTheLimit() {
        let limiter = limiter(limit: 1000)
        let admitted = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let running = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<2000 {
                guard case .success(let permit) = acquire(limiter, "hot", reserved: 3) else { continue }
                admitted.add(1, ordering: .relaxed)
                let now = running.add(1, ordering: .relaxed).newValue
                var seen = peak.load(ordering: .relaxed)
                while now > seen {
                    let (done, current) = peak.compareExchange(expected: seen, desired: now, ordering: .relaxed)
                    if done { break }
                    seen = current
                }
                running.subtract(1, ordering: .relaxed)
                permit.release()
            }
        }

        #expect(peak.load(ordering: .relaxed) <= 3)
        #expect(admitted.load(ordering: .relaxed) > 0)
        #expect(limiter.inFlight(accountId: Self.account, region: Self.region, name: "hot") == 0)
    }
}
