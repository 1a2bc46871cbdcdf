//! Behaviour tests for the units module: exact conversions, the dosing calculations that
//! protocols do, refusals, safe formatting, overflow and rounding.

mod arithmetic;
mod breadth;
mod dims;
mod factors;
mod fast_paths;
mod intern;
mod parse;
mod text;

use super::{Quantity, Rational, Unit};

fn d(s: &str) -> Rational {
    Rational::parse_decimal(s).unwrap()
}

fn q(s: &str) -> Quantity {
    Quantity::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn u(s: &str) -> Unit {
    Unit::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}
