/// Writes the Prometheus text exposition format (version 0.0.4): `# HELP`,
/// `# TYPE`, then samples, label values escaped as the format requires.
package struct PrometheusText {
    private(set) var text = ""

    mutating func counter(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
        family(name, "counter", help)
        for (labels, value) in samples { sample(name, labels, value) }
    }

    mutating func counter(_ name: String, _ help: String, _ value: Double) {
        counter(name, help, [([], value)])
    }

    mutating func gauge(_ name: String, _ help: String, _ samples: [([(String, String)], Double)]) {
        family(name, "gauge", help)
        for (labels, value) in samples { sample(name, labels, value) }
    }

    mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        gauge(name, help, [([], value)])
    }

    mutating func histogram(_ name: String, _ help: String, _ histogram: Histogram) {
        family(name, "histogram", help)
        let (cumulative, sum, count) = histogram.snapshot
        for (bound, value) in zip(histogram.bounds, cumulative) {
            sample(name + "_bucket", [("le", Self.number(bound))], Double(value))
        }
        sample(name + "_bucket", [("le", "+Inf")], Double(count))
        sample(name + "_sum", [], sum)
        sample(name + "_count", [], Double(count))
    }

    private mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escaped($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.number(value) + "\n"
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escaped(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
