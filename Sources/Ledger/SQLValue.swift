/// A value bound to a statement parameter, for SQLite and PostgreSQL alike.
public enum SQLValue: Sendable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])

    public static func optional(_ text: String?) -> SQLValue {
        text.map(SQLValue.text) ?? .null
    }

    public static func optional(_ number: Int64?) -> SQLValue {
        number.map(SQLValue.integer) ?? .null
    }
}
