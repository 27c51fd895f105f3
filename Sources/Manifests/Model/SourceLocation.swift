import Synchronization

/// Where a value came from: a file (relative to the repository root) and a 1-based line and column.
///
/// Twelve bytes: every node and every key carries a location, and a controller holds the
/// nodes of every service it renders (at 1,000 services, a location of a string and two
/// integers was a third of what the parsed manifests took). The file is held by a number
/// (`SourceFiles`), the line and column in 32 bits (files are far shorter; `Limits`).
package struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    private let fileNumber: UInt32
    private var storedLine: UInt32
    private var storedColumn: UInt32

    package init(file: String, line: Int = 1, column: Int = 1) {
        self.init(number: SourceFiles.number(of: file), line: line, column: column)
    }

    private init(number: UInt32, line: Int, column: Int) {
        fileNumber = number
        storedLine = UInt32(clamping: line)
        storedColumn = UInt32(clamping: column)
    }

    /// Another place in the same file: a parser makes one per node without looking the file up.
    package func moved(line: Int, column: Int) -> SourceLocation {
        SourceLocation(number: fileNumber, line: line, column: column)
    }

    package var file: String { SourceFiles.name(fileNumber) }

    package var line: Int {
        get { Int(storedLine) }
        set { storedLine = UInt32(clamping: newValue) }
    }

    package var column: Int {
        get { Int(storedColumn) }
        set { storedColumn = UInt32(clamping: newValue) }
    }

    package var description: String { "\(file):\(line):\(column)" }

    package static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        if lhs.fileNumber != rhs.fileNumber { return lhs.file < rhs.file }
        return (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// Every file name a location has named, each kept once and numbered. Names are never
/// forgotten: there are as many as files the process has read under distinct paths (a
/// repository's manifests, and those of the commits `berth log` walks), tens of bytes each.
enum SourceFiles {
    private static let table = Mutex<(names: [String], numbers: [String: UInt32])>(([], [:]))

    static func number(of name: String) -> UInt32 {
        table.withLock { table in
            if let number = table.numbers[name] { return number }
            let number = UInt32(table.names.count)
            table.names.append(name)
            table.numbers[name] = number
            return number
        }
    }

    static func name(_ number: UInt32) -> String { table.withLock { $0.names[Int(number)] } }
}
