//! Run-time values: what an input, a `let` or an expression holds for one patient.
//! Shared by the checker (constants, defaults), the input decoder and the evaluator.

use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;

use crate::units::Quantity;

/// One value. Cloning is cheap: lists and records are shared.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A number with its unit (a plain number has no unit).
    Num(Quantity),
    /// true / false.
    Bool(bool),
    /// A text.
    Text(Arc<str>),
    /// A choice of an enum: (enum id, index of the value).
    Enum(u32, u32),
    /// A calendar date.
    Date(Date),
    /// A list.
    List(Arc<[Value]>),
    /// A record: (record type id, field values in declaration order).
    Record(u32, Arc<[Value]>),
    /// A range `low..high`.
    Range(Arc<(Value, Value)>),
    /// No value: an optional input not given, or `first` of an empty list.
    Missing,
}

impl Value {
    /// True for [`Value::Missing`].
    pub fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }

    /// The quantity inside, if this is a number.
    pub fn as_num(&self) -> Option<&Quantity> {
        match self {
            Value::Num(q) => Some(q),
            _ => None,
        }
    }
}

/// Names of enum values, so values can be shown without the program at hand.
pub trait EnumNames {
    /// The name of value `index` of enum `id`.
    fn enum_value_name(&self, id: u32, index: u32) -> &str;
    /// The name of field `index` of record type `id`.
    fn record_field_name(&self, id: u32, index: u32) -> &str;
}

/// A value made printable with the enum names of its program.
pub struct Shown<'a, N: EnumNames>(pub &'a Value, pub &'a N);

impl<N: EnumNames> fmt::Display for Shown<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Num(q) => write!(f, "{q}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::Enum(id, i) => f.write_str(self.1.enum_value_name(*id, *i)),
            Value::Date(d) => write!(f, "{d}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", Shown(item, self.1))?;
                }
                f.write_str("]")
            }
            Value::Record(id, fields) => {
                f.write_str("{")?;
                let given = fields.iter().enumerate().filter(|(_, v)| !v.is_missing());
                for (n, (i, item)) in given.enumerate() {
                    if n > 0 {
                        f.write_str(", ")?;
                    }
                    let name = self.1.record_field_name(*id, i as u32);
                    write!(f, "{name}: {}", Shown(item, self.1))?;
                }
                f.write_str("}")
            }
            Value::Range(r) => write!(f, "{}..{}", Shown(&r.0, self.1), Shown(&r.1, self.1)),
            Value::Missing => f.write_str("missing"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Value;

    #[test]
    fn a_value_is_small_enough_to_pass_around() {
        // Values go through every step of the evaluator (each in a `Result`): a value was 136
        // bytes when a unit held its atoms inline.
        assert_eq!(std::mem::size_of::<Value>(), 40);
        assert_eq!(std::mem::size_of::<Result<Value, ()>>(), 40);
    }
}
