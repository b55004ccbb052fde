// The order in which BPE merges a word's pairs: lowest rank first, then leftmost. A binary
// min-heap of candidate pairs, as the reference uses, so a long word (a pasted run of thousands
// of letters) costs O(n log n) instead of a rescan per merge.
struct MergeQueue {
    struct Candidate {
        let rank: Int32
        /// Index of the pair's left symbol in the word's original symbol array; symbols keep
        /// their left index when they absorb a right neighbour, so this orders left to right.
        let position: Int32
        let left: Int32
        let right: Int32
        let merged: Int32

        func precedes(_ other: Candidate) -> Bool {
            rank != other.rank ? rank < other.rank : position < other.position
        }
    }

    private var heap: [Candidate] = []

    init(capacity: Int) { heap.reserveCapacity(capacity) }

    mutating func push(_ candidate: Candidate) {
        heap.append(candidate)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Candidate? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < heap.count, heap[left].precedes(heap[best]) { best = left }
            if right < heap.count, heap[right].precedes(heap[best]) { best = right }
            if best == parent { break }
            heap.swapAt(parent, best)
            parent = best
        }
        return first
    }
}
