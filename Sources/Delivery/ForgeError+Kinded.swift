import Forge
import Plan

/// A forge's refusal in the one error model: its credentials, a conflict, or the forge itself.
extension ForgeError: KindedError {
    package var errorCode: ErrorCode? {
        guard let status, status < 500 else { return .unavailable }
        if status == 401 || status == 403 { return .accessDenied }
        return isConflict ? .conflict : .rejected
    }
}
