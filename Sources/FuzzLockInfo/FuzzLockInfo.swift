import Fuzzing

@main enum FuzzLockInfo {
    static func main() {
        FuzzTarget.lockInfo.main { FuzzTarget.lockInfo.test($0, $1) }
    }
}
