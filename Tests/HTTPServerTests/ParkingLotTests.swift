import Testing

@testable import HTTPServer

/// The parked connections' bookkeeping, with strings for connections and chosen instants.
@Suite struct ParkingLotTests {
    private let start = ContinuousClock.now

    private func at(_ seconds: Int) -> ContinuousClock.Instant { self.start + .seconds(seconds) }

    @Test func aTokenFindsItsConnectionOnce() {
        var lot = ParkingLot<String>()
        let token = lot.insert("a", descriptor: 7, queue: .fresh, deadline: self.at(10))
        #expect(lot.count == 1)
        #expect(lot.remove(token: token)?.element == "a")
        #expect(lot.remove(token: token) == nil)
        #expect(lot.count == 0)
    }

    @Test func aStaleTokenDoesNotFindTheNextConnectionOnTheSameDescriptor() {
        var lot = ParkingLot<String>()
        let old = lot.insert("old", descriptor: 7, queue: .keptAlive, deadline: self.at(10))
        #expect(lot.remove(token: old)?.element == "old")
        let new = lot.insert("new", descriptor: 7, queue: .lingering, deadline: self.at(20))
        #expect(new != old)
        #expect(lot.remove(token: old) == nil)
        let found = lot.remove(token: new)
        #expect(found?.element == "new")
        #expect(found?.queue == .lingering)
    }

    @Test func aLingeringConnectionGoesFirstThenTheLongestIdleThenTheOldestNewOne() {
        var lot = ParkingLot<String>()
        _ = lot.insert("new 1", descriptor: 3, queue: .fresh, deadline: self.at(10))
        _ = lot.insert("closing", descriptor: 9, queue: .lingering, deadline: self.at(2))
        _ = lot.insert("idle 1", descriptor: 4, queue: .keptAlive, deadline: self.at(120))
        let middle = lot.insert("idle 2", descriptor: 5, queue: .keptAlive, deadline: self.at(121))
        _ = lot.insert("idle 3", descriptor: 6, queue: .keptAlive, deadline: self.at(122))
        _ = lot.insert("new 2", descriptor: 8, queue: .fresh, deadline: self.at(11))
        #expect(lot.remove(token: middle)?.element == "idle 2")
        var order: [String] = []
        while let next = lot.removeLongestWaiting() { order.append(next) }
        #expect(order == ["closing", "idle 1", "idle 3", "new 1", "new 2"])
    }

    @Test func expiryTakesEveryDeadlineThatHasPassedInBothQueues() {
        var lot = ParkingLot<String>()
        _ = lot.insert("new 1", descriptor: 3, queue: .fresh, deadline: self.at(10))
        _ = lot.insert("new 2", descriptor: 4, queue: .fresh, deadline: self.at(12))
        _ = lot.insert("idle 1", descriptor: 5, queue: .keptAlive, deadline: self.at(11))
        _ = lot.insert("idle 2", descriptor: 6, queue: .keptAlive, deadline: self.at(130))
        #expect(lot.nextDeadline == self.at(10))
        #expect(lot.removeExpired(now: self.at(9)) == [])
        #expect(Set(lot.removeExpired(now: self.at(11))) == ["new 1", "idle 1"])
        #expect(lot.nextDeadline == self.at(12))
        #expect(lot.removeExpired(now: self.at(200)) == ["idle 2", "new 2"])
        #expect(lot.nextDeadline == nil)
        #expect(lot.count == 0)
    }

    @Test func removeAllEmptiesTheQueuesAskedAndTheLotCanBeFilledAgain() {
        var lot = ParkingLot<String>()
        for descriptor in 0..<100 {
            _ = lot.insert(
                "\(descriptor)", descriptor: Int32(descriptor), queue: descriptor % 2 == 0 ? .fresh : .keptAlive,
                deadline: self.at(descriptor))
        }
        #expect(lot.removeAll(in: [.fresh]).count == 50)
        #expect(lot.count == 50)
        #expect(lot.removeAll().count == 50)
        #expect(lot.count == 0)
        let token = lot.insert("again", descriptor: 42, queue: .fresh, deadline: self.at(1))
        #expect(lot.remove(token: token)?.element == "again")
    }
}
