/// Task-level CPU and memory: ECS's unit forms ("1 vCPU", "2GB", "512") and Fargate's valid
/// pairs. Shared by manifest validation and the local backend, which refuse the same sizes.
package enum TaskSize {
    /// CPU units from "256", "0.25 vCPU", "1 vcpu"; nil when not a size.
    package static func cpuUnits(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let units = Int(trimmed) { return units }
        guard trimmed.hasSuffix("vcpu"), let vcpu = Double(trimmed.dropLast(4).trimmingCharacters(in: .whitespaces)) else { return nil }
        return units(vcpu * 1024)
    }

    /// MiB from "512", "1GB", "1 gb"; nil when not a size.
    package static func memoryMiB(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let mib = Int(trimmed) { return mib }
        guard trimmed.hasSuffix("gb"), let gb = Double(trimmed.dropLast(2).trimmingCharacters(in: .whitespaces)) else { return nil }
        return units(gb * 1024)
    }

    /// A scaled size as a whole number, nil when it is none ECS could take: `inf`, `nan` and
    /// `1e300` are numbers to `Double`, and converting them to `Int` would stop the process.
    static func units(_ value: Double) -> Int? {
        guard value.isFinite, value >= 0, value <= Double(Int32.max) else { return nil }
        return Int(value.rounded())
    }

    /// The memory sizes Fargate accepts with `cpu` units (botocore's RegisterTaskDefinition docs).
    package static func validMemory(forCPU cpu: Int) -> [Int]? {
        switch cpu {
        case 256: return [512, 1024, 2048]
        case 512: return Array(stride(from: 1024, through: 4096, by: 1024))
        case 1024: return Array(stride(from: 2048, through: 8192, by: 1024))
        case 2048: return Array(stride(from: 4096, through: 16384, by: 1024))
        case 4096: return Array(stride(from: 8192, through: 30720, by: 1024))
        case 8192: return Array(stride(from: 16384, through: 61440, by: 4096))
        case 16384: return Array(stride(from: 32768, through: 122880, by: 8192))
        default: return nil
        }
    }

    /// Whether Fargate offers `memory` MiB with `cpu` units.
    package static func fargateAllows(cpu: Int, memory: Int) -> Bool {
        validMemory(forCPU: cpu)?.contains(memory) ?? false
    }

    package static let validCPU = [256, 512, 1024, 2048, 4096, 8192, 16384]

    package static func describe(_ sizes: [Int]) -> String {
        guard sizes.count > 3 else { return sizes.map(String.init).joined(separator: ", ") }
        return "\(sizes.first!)–\(sizes.last!) in steps of \(sizes[1] - sizes[0])"
    }
}

import Foundation
