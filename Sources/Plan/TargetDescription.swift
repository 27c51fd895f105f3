import Canonical
import ECS
import ECSModel
import Manifests
import Records

/// How a target is named in plans and records.
package enum TargetDescription {
    package static func of(_ target: Target) -> String {
        switch target {
        case .local(let t): return "local:\(t.cluster)"
        case .aws(let t): return "aws:\(t.region)/\(t.cluster)"
        }
    }
}
