/// A regular expression for image tags that runs in time linear in the tag, whatever the
/// pattern: compiled to a Pike VM (Thompson's construction with captures, as RE2 and Go's
/// regexp run them), never backtracking. A pattern comes from git; a backtracking engine
/// (NSRegularExpression, Swift's Regex) can be given one that runs for hours on a single tag.
///
/// The syntax is the common subset Flux's and Argo CD Image Updater's users write: literals
/// and `\`-escapes, `.`, classes (`[a-f0-9]`, `[^-]`, `\d`, `\w`, `\s`), groups (`(…)`, `(?:…)`,
/// `(?P<name>…)`, `(?<name>…)`), `|`, `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (lazy forms are
/// read as greedy), anchors `^` and `$`. Search semantics, as Go's `MatchString`.
package struct TagRegex: Sendable, Equatable {
    package let pattern: String
    let program: [Instruction]
    let groups: Int

    package static func == (a: TagRegex, b: TagRegex) -> Bool { a.pattern == b.pattern }

    /// Patterns longer than this, or repetitions past `maxRepeat`, are refused: the program stays small.
    package static let maxLength = 256
    static let maxRepeat = 32
    /// The program bounds the work: each character of a tag steps each state at most once.
    static let maxProgram = 300
    static let maxGroups = 16

    package struct SyntaxError: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    package init(_ pattern: String) throws {
        guard pattern.count <= Self.maxLength else { throw SyntaxError(description: "longer than \(Self.maxLength) characters") }
        var parser = Parser(Array(pattern))
        let node = try parser.parseAlternation()
        guard parser.atEnd else { throw SyntaxError(description: "unbalanced ')' at character \(parser.position + 1)") }
        var compiler = Compiler()
        try compiler.emit(.save(0))
        try compiler.compile(node)
        try compiler.emit(.save(1))
        try compiler.emit(.match)
        self.pattern = pattern
        program = compiler.program
        groups = parser.groups
    }

    /// The first group's text (the whole match without groups) when `text` matches; nil otherwise.
    package func key(_ text: String) -> String? {
        let characters = Array(text)
        guard let slots = run(characters) else { return nil }
        let (start, end) = groups > 0 && slots[2] >= 0 && slots[3] >= 0 ? (slots[2], slots[3]) : (slots[0], slots[1])
        return String(characters[start..<end])
    }

    // MARK: Program

    enum Instruction: Sendable {
        case char(Character)
        case any
        case set(CharacterSet, negated: Bool)
        case split(Int, Int)
        case jump(Int)
        case save(Int)
        case lineStart
        case lineEnd
        case match
    }

    /// A class, as ranges of characters.
    struct CharacterSet: Sendable {
        var ranges: [ClosedRange<Character>] = []

        func contains(_ c: Character) -> Bool { ranges.contains { $0.contains(c) } }

        static let digits = CharacterSet(ranges: ["0"..."9"])
        static let word = CharacterSet(ranges: ["a"..."z", "A"..."Z", "0"..."9", "_"..."_"])
        static let space = CharacterSet(ranges: [" "..." ", "\t"..."\t", "\n"..."\n", "\r"..."\r"])
    }

    /// The Pike VM: every thread advances one character at a time; a thread that reaches a
    /// state already taken at this position by a thread of higher priority is dropped.
    func run(_ text: [Character]) -> [Int]? {
        let fresh = Array(repeating: -1, count: 2 + groups * 2)
        var threads: [(pc: Int, slots: [Int])] = []
        var matched: [Int]?
        for position in 0...text.count {
            var seen = Array(repeating: false, count: program.count)
            var list: [(pc: Int, slots: [Int])] = []
            for thread in threads { follow(thread.pc, thread.slots, position, text.count, &seen, &list) }
            // Search: until something matched, a new thread starts here, below those running.
            if matched == nil { follow(0, fresh, position, text.count, &seen, &list) }
            var next: [(pc: Int, slots: [Int])] = []
            advance: for thread in list {
                let here: Character? = position < text.count ? text[position] : nil
                switch program[thread.pc] {
                case .match:
                    // The threads below this one have lower priority: leftmost-first, as Go's and Perl's.
                    matched = thread.slots
                    break advance
                case .char(let c):
                    if here == c { next.append((thread.pc + 1, thread.slots)) }
                case .any:
                    if here != nil { next.append((thread.pc + 1, thread.slots)) }
                case .set(let set, let negated):
                    if let here, set.contains(here) != negated { next.append((thread.pc + 1, thread.slots)) }
                default:
                    break
                }
            }
            threads = next
            if threads.isEmpty && matched != nil { break }
        }
        return matched
    }

    /// Follows the empty moves (splits, jumps, saves, anchors) from `pc`, adding the threads
    /// that wait on a character (or match) in priority order.
    private func follow(
        _ pc: Int, _ slots: [Int], _ position: Int, _ length: Int, _ seen: inout [Bool],
        _ list: inout [(pc: Int, slots: [Int])]
    ) {
        var stack: [(Int, [Int])] = [(pc, slots)]
        while let (pc, slots) = stack.popLast() {
            guard !seen[pc] else { continue }
            seen[pc] = true
            switch program[pc] {
            case .jump(let target):
                stack.append((target, slots))
            case .split(let first, let second):
                // The second is pushed first, so the first is followed first.
                stack.append((second, slots))
                stack.append((first, slots))
            case .save(let slot):
                var copy = slots
                if slot < copy.count { copy[slot] = position }
                stack.append((pc + 1, copy))
            case .lineStart:
                if position == 0 { stack.append((pc + 1, slots)) }
            case .lineEnd:
                if position == length { stack.append((pc + 1, slots)) }
            default:
                list.append((pc, slots))
            }
        }
    }
}

// MARK: Parsing

extension TagRegex {
    indirect enum Node {
        case empty
        case char(Character)
        case any
        case set(CharacterSet, negated: Bool)
        case lineStart, lineEnd
        case concat([Node])
        case alternation([Node])
        case group(Node, index: Int?)
        case repeat_(Node, min: Int, max: Int?)
    }

    struct Parser {
        let text: [Character]
        var position = 0
        var groups = 0
        var depth = 0

        init(_ text: [Character]) { self.text = text }

        var atEnd: Bool { position >= text.count }

        func error(_ what: String) -> SyntaxError { SyntaxError(description: "\(what) at character \(position + 1)") }

        mutating func parseAlternation() throws -> Node {
            var branches = [try parseConcat()]
            while !atEnd, text[position] == "|" {
                position += 1
                branches.append(try parseConcat())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseConcat() throws -> Node {
            var items: [Node] = []
            while !atEnd, text[position] != "|", text[position] != ")" {
                var atom = try parseAtom()
                while !atEnd, let (min, max) = try parseQuantifier() {
                    atom = .repeat_(atom, min: min, max: max)
                }
                items.append(atom)
            }
            return items.count == 1 ? items[0] : items.isEmpty ? .empty : .concat(items)
        }

        mutating func parseQuantifier() throws -> (Int, Int?)? {
            let c = text[position]
            var result: (Int, Int?)
            switch c {
            case "*": result = (0, nil); position += 1
            case "+": result = (1, nil); position += 1
            case "?": result = (0, 1); position += 1
            case "{":
                guard let close = text[position...].firstIndex(of: "}") else { throw error("'{' without '}'") }
                let inside = String(text[(position + 1)..<close])
                let parts = inside.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
                func number(_ text: Substring) -> Int? {
                    text.isEmpty || text.count > 3 || !text.allSatisfy({ $0.isASCII && $0.isNumber }) ? nil : Int(text)
                }
                guard (1...2).contains(parts.count), let low = number(parts[0]) else { throw error("'{\(inside)}' is not a repetition") }
                let high: Int? = parts.count == 1 ? low : parts[1].isEmpty ? nil : number(parts[1])
                if parts.count == 2 && !parts[1].isEmpty && high == nil { throw error("'{\(inside)}' is not a repetition") }
                guard low <= TagRegex.maxRepeat, (high ?? low) <= TagRegex.maxRepeat, low <= (high ?? low) else {
                    throw error("repetition '{\(inside)}' is over \(TagRegex.maxRepeat) or backwards")
                }
                result = (low, high)
                position = close + 1
            default:
                return nil
            }
            if !atEnd, text[position] == "?" { position += 1 }  // lazy: the same matches, for keys
            return result
        }

        mutating func parseAtom() throws -> Node {
            let c = text[position]
            position += 1
            switch c {
            case ".": return .any
            case "^": return .lineStart
            case "$": return .lineEnd
            case "(":
                depth += 1
                guard depth <= 32 else { throw error("groups nested deeper than 32") }
                defer { depth -= 1 }
                var index: Int?
                if text[position...].starts(with: ["?", ":"]) {
                    position += 2
                } else if text[position...].starts(with: ["?", "P", "<"]) || text[position...].starts(with: ["?", "<"]) {
                    position += text[position + 1] == "P" ? 3 : 2
                    guard let close = text[position...].firstIndex(of: ">") else { throw error("group name without '>'") }
                    position = close + 1
                    groups += 1
                    index = groups
                } else if !atEnd, text[position] == "?" {
                    throw error("'(?' form not supported")
                } else {
                    groups += 1
                    index = groups
                }
                guard groups <= TagRegex.maxGroups else { throw error("more than \(TagRegex.maxGroups) groups") }
                let inner = try parseAlternation()
                guard !atEnd, text[position] == ")" else { throw error("'(' without ')'") }
                position += 1
                return .group(inner, index: index)
            case "[": return try parseClass()
            case "\\": return try parseEscape(inClass: false).node
            case "*", "+", "?", "{": throw error("'\(c)' has nothing to repeat")
            case ")": throw error("unbalanced ')'")
            default: return .char(c)
            }
        }

        mutating func parseEscape(inClass: Bool) throws -> (node: Node, set: CharacterSet?) {
            guard !atEnd else { throw error("'\\' at the end") }
            let c = text[position]
            position += 1
            switch c {
            case "d": return (.set(.digits, negated: false), .digits)
            case "w": return (.set(.word, negated: false), .word)
            case "s": return (.set(.space, negated: false), .space)
            case "D": return (.set(.digits, negated: true), nil)
            case "W": return (.set(.word, negated: true), nil)
            case "S": return (.set(.space, negated: true), nil)
            default:
                guard !c.isLetter && !c.isNumber else { throw error("'\\\(c)' is not supported") }
                return (.char(c), CharacterSet(ranges: [c...c]))
            }
        }

        mutating func parseClass() throws -> Node {
            var set = CharacterSet()
            var negated = false
            if !atEnd, text[position] == "^" {
                negated = true
                position += 1
            }
            var first = true
            while true {
                guard !atEnd else { throw error("'[' without ']'") }
                var c = text[position]
                if c == "]" && !first { position += 1; break }
                first = false
                position += 1
                if c == "\\" {
                    let escaped = try parseEscape(inClass: true)
                    guard let part = escaped.set else { throw error("negated escapes inside [] are not supported") }
                    if part.ranges.count > 1 || part.ranges.first.map({ $0.lowerBound != $0.upperBound }) == true {
                        set.ranges += part.ranges
                        continue
                    }
                    c = part.ranges[0].lowerBound
                }
                if position + 1 < text.count, text[position] == "-", text[position + 1] != "]" {
                    var high = text[position + 1]
                    position += 2
                    if high == "\\" {
                        guard let part = try parseEscape(inClass: true).set, part.ranges.count == 1 else { throw error("bad range in []") }
                        high = part.ranges[0].lowerBound
                    }
                    guard c <= high else { throw error("range \(c)-\(high) is backwards") }
                    set.ranges.append(c...high)
                } else {
                    set.ranges.append(c...c)
                }
            }
            return .set(set, negated: negated)
        }
    }

    struct Compiler {
        var program: [Instruction] = []

        mutating func emit(_ instruction: Instruction) throws {
            guard program.count < TagRegex.maxProgram else { throw SyntaxError(description: "the pattern expands to too large a program") }
            program.append(instruction)
        }

        mutating func compile(_ node: Node) throws {
            switch node {
            case .empty: break
            case .char(let c): try emit(.char(c))
            case .any: try emit(.any)
            case .set(let set, let negated): try emit(.set(set, negated: negated))
            case .lineStart: try emit(.lineStart)
            case .lineEnd: try emit(.lineEnd)
            case .concat(let items): for item in items { try compile(item) }
            case .alternation(let branches):
                var jumps: [Int] = []
                for (index, branch) in branches.enumerated() {
                    if index < branches.count - 1 {
                        let split = program.count
                        try emit(.split(split + 1, -1))
                        try compile(branch)
                        jumps.append(program.count)
                        try emit(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try compile(branch)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .group(let inner, let index):
                if let index { try emit(.save(index * 2)) }
                try compile(inner)
                if let index { try emit(.save(index * 2 + 1)) }
            case .repeat_(let inner, let min, let max):
                for _ in 0..<min { try compile(inner) }
                if let max {
                    for _ in min..<max {
                        let split = program.count
                        try emit(.split(split + 1, -1))
                        try compile(inner)
                        program[split] = .split(split + 1, program.count)
                    }
                } else {
                    let split = program.count
                    try emit(.split(split + 1, -1))
                    try compile(inner)
                    try emit(.jump(split))
                    program[split] = .split(split + 1, program.count)
                }
            }
        }
    }
}

private extension Substring {
    var trimmingWhitespace: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
