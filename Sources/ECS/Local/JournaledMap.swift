import ECSModel
/// A dictionary that remembers, for each key a call set, what it held before: the call's
/// journal line is the keys it changed and a failed call is undone, both at the cost of the
/// change rather than of the whole state (a first sync creates thousands of services, and
/// comparing or copying every entry per call made it quadratic).
struct JournaledMap<Value: JournaledValue & Sendable>: Codable, Sendable, Equatable, Sequence {
    typealias Element = (key: String, value: Value)

    private(set) var entries: [String: Value] = [:]
    /// Each key set since the last `settle()`, with what it held then (nil: absent).
    private var before: [String: Value?] = [:]
    /// The keys whose values are `busy`: what a call must look at without scanning every entry.
    private(set) var busy: Set<String> = []

    init(_ entries: [String: Value] = [:]) {
        self.entries = entries
        for (key, value) in entries where value.busy { busy.insert(key) }
    }

    subscript(key: String) -> Value? {
        get { entries[key] }
        set {
            remember(key)
            entries[key] = newValue
            mark(key)
        }
        _modify {
            remember(key)
            defer { mark(key) }
            yield &entries[key]
        }
    }

    subscript(key: String, default value: @autoclosure () -> Value) -> Value {
        get { entries[key] ?? value() }
        _modify {
            remember(key)
            defer { mark(key) }
            yield &entries[key, default: value()]
        }
    }

    private mutating func mark(_ key: String) {
        if entries[key]?.busy == true { busy.insert(key) } else { busy.remove(key) }
    }

    var keys: Dictionary<String, Value>.Keys { entries.keys }
    var values: Dictionary<String, Value>.Values { entries.values }
    func makeIterator() -> Dictionary<String, Value>.Iterator { entries.makeIterator() }

    mutating func removeAll() {
        for key in entries.keys { remember(key) }
        entries.removeAll()
        busy.removeAll()
    }

    private mutating func remember(_ key: String) {
        if before.index(forKey: key) == nil { before[key] = .some(entries[key]) }
    }

    /// What changed since the last `settle()`: each key's value now (nil: removed). A key set
    /// back to what it held is left out.
    var changes: [String: Value?] {
        var result: [String: Value?] = [:]
        for (key, old) in before where old != entries[key] { result[key] = .some(entries[key]) }
        return result
    }

    /// The changes are journaled (or there were none): forget what the keys held.
    mutating func settle() { before.removeAll(keepingCapacity: true) }

    /// The call failed: every key goes back to what it held.
    mutating func undo() {
        for (key, old) in before {
            entries[key] = old
            mark(key)
        }
        before.removeAll(keepingCapacity: true)
    }

    /// Sets entries read from the journal, as they were written: nothing to undo.
    mutating func replay(_ changes: [String: Value?]) {
        for (key, value) in changes {
            entries[key] = value
            mark(key)
        }
    }

    init(from decoder: any Decoder) throws { self.init(try [String: Value](from: decoder)) }
    func encode(to encoder: any Encoder) throws { try entries.encode(to: encoder) }
    static func == (a: JournaledMap, b: JournaledMap) -> Bool { a.entries == b.entries }
}

/// What a `JournaledMap` holds. `busy` values are the ones a call must revisit (a service whose
/// rollout is in progress or that is draining), kept as a set as they change.
protocol JournaledValue: Codable, Equatable {
    var busy: Bool { get }
}

extension JournaledValue {
    var busy: Bool { false }
}

extension Array: JournaledValue where Element: Codable & Equatable {}
extension LocalCluster: JournaledValue {}
extension Int: JournaledValue {}
extension LocalTask: JournaledValue {}

extension LocalService: JournaledValue {
    var busy: Bool { draining || rollingOut }
}
