import Forge
import Plan

/// A forge's refusal in the one error model: its credentials, a conflict, its rate limit, or the
/// forge itself. (GitHub also answers its rate limit with 403: read as access denied.)
extension ForgeError: KindedError {
    package var errorCode: ErrorCode? {
        guard let status, status < 500 else { return .unavailable }
        if status == 429 { return .throttled }
        if status == 401 || status == 403 { return .accessDenied }
        return isConflict ? .conflict : .rejected
    }
}
