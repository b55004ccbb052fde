// One NDJSON object, written by hand so keys keep the order the contract shows ("type"
// first) and floats print in their shortest exact form.

public struct JSONLine {
    private var text = "{"
    private var first = true

    public init() {}

    public var line: String { text + "}" }

    private mutating func key(_ name: String) {
        if !first { text += "," }
        first = false
        text += JSONLine.quote(name) + ":"
    }

    public mutating func add(_ name: String, _ value: String) { key(name); text += JSONLine.quote(value) }
    public mutating func add(_ name: String, _ value: Int) { key(name); text += String(value) }
    public mutating func add(_ name: String, _ value: Double) { key(name); text += JSONLine.number(value) }
    public mutating func add(_ name: String, _ value: Float) { key(name); text += JSONLine.number(value) }
    public mutating func add(_ name: String, _ values: [Float]) {
        key(name); text += "[" + values.map { JSONLine.number($0) }.joined(separator: ",") + "]"
    }
    public mutating func add(_ name: String, _ values: [String]) {
        key(name); text += "[" + values.map(JSONLine.quote).joined(separator: ",") + "]"
    }
    /// An array of objects, each written by `write`.
    public mutating func add<Item>(_ name: String, each items: [Item], _ write: (Item, inout JSONLine) -> Void) {
        key(name)
        text += "[" + items.map { item in
            var object = JSONLine()
            write(item, &object)
            return object.line
        }.joined(separator: ",") + "]"
    }
    /// A nested object or array already formatted as JSON.
    public mutating func add(_ name: String, raw: String) { key(name); text += raw }

    public static func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// A timestamp rounded to the microsecond, so 2.8 prints as 2.8 and not as the binary
    /// neighbour 2.8000000000000003 (ffprobe prints 6 decimals too).
    public static func seconds(_ value: Double) -> Double {
        (value * 1_000_000).rounded() / 1_000_000
    }

    public static func quote(_ string: String) -> String {
        var out = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
