import Fuzzing

@main enum FuzzStateHeader {
    static func main() {
        FuzzTarget.stateHeader.main { FuzzTarget.stateHeader.test($0, $1) }
    }
}
