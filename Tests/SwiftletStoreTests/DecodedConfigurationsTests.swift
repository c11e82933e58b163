import Foundation
import SwiftletModel
import Testing

@testable import SwiftletStore

@Suite("Decoded configurations")
struct DecodedConfigurationsTests {
    final class Counter {
        var calls = 0
    }

    private func decoder(counting counter: Counter) -> (Data) throws -> FunctionConfiguration {
        { stored in
            counter.calls += 1
            var configuration = record("f").configuration
            configuration.handler = String(decoding: stored, as: UTF8.self)
            return configuration
        }
    }

    @Test func theSameBytesAreDecodedOnce() throws {
        let cache = DecodedConfigurations()
        let calls = Counter()
        let first = try cache.configuration(for: "f", stored: Data("a.h".utf8), decode: decoder(counting: calls))
        let second = try cache.configuration(for: "f", stored: Data("a.h".utf8), decode: decoder(counting: calls))
        #expect(first == second)
        #expect(calls.calls == 1)
    }

    @Test func changedBytesAreDecodedAgain() throws {
        let cache = DecodedConfigurations()
        let calls = Counter()
        _ = try cache.configuration(for: "f", stored: Data("a.h".utf8), decode: decoder(counting: calls))
        let changed = try cache.configuration(for: "f", stored: Data("b.h".utf8), decode: decoder(counting: calls))
        #expect(changed.handler == "b.h")
        #expect(calls.calls == 2)
    }

    @Test func aFullShardStartsOverAndStaysCorrect() throws {
        let cache = DecodedConfigurations(shards: 1, shardCapacity: 2)
        let calls = Counter()
        for name in ["a", "b", "c", "a"] {
            let decoded = try cache.configuration(for: name, stored: Data(name.utf8), decode: decoder(counting: calls))
            #expect(decoded.handler == name)
        }
        #expect(calls.calls == 4)
    }

    @Test func aStoreReadSeesEveryUpdate() throws {
        try withTemporaryDirectory { folder in
            let store = try SQLiteStore(path: folder + "/state.db")
            try store.insertFunction(record("f"))
            for handler in ["one.h", "two.h", "one.h"] {
                try store.updateFunction(accountId: "123456789012", region: "us-east-1", name: "f") {
                    $0.configuration.handler = handler
                }
                let read = try store.function(accountId: "123456789012", region: "us-east-1", name: "f")
                #expect(read?.configuration.handler == handler)
            }
        }
    }
}
