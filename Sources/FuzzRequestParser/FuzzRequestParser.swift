import Fuzzing

@main enum FuzzRequestParser {
    static func main() {
        FuzzTarget.requestParser.main { FuzzTarget.requestParser.test($0, $1) }
    }
}
