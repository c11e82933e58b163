/// A binary min-heap of moments when a message may become visible, by `(visibleAt, id)`. Entries are not removed
/// when a message changes; the generation they carry tells a stale entry from a current one.
struct VisibilityHeap: Sendable {
    /// One scheduled moment.
    struct Entry: Sendable {
        var visibleAt: Int64
        var id: Int64
        var generation: UInt64

        func precedes(_ other: Entry) -> Bool {
            visibleAt != other.visibleAt ? visibleAt < other.visibleAt : id < other.id
        }
    }

    private var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    /// The earliest entry.
    var top: Entry? { entries.first }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    @discardableResult
    mutating func pop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let popped = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].precedes(entries[smallest]) { smallest = left }
            if right < entries.count && entries[right].precedes(entries[smallest]) { smallest = right }
            if smallest == parent { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return popped
    }

    mutating func removeAll() {
        entries.removeAll()
    }
}
