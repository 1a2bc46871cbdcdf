//! Structured patients for the bundled protocols: the fuzzer drives choices, quantities (a
//! mantissa, a scale and a unit), test-dose lists and dates; each patient is written as a JSON
//! file, read with `read_patient` and evaluated. Nothing may panic, every refusal must be a
//! proper diagnostic, and every decision is held to the safety invariants (no dose, rising
//! schedule step or allowed proposal beyond a hard limit; a taper only goes down).
#![no_main]

mod common;

use std::fmt::Write;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use posology::input::Format;

/// A quantity: `mantissa` cut to `digits` decimal digits, with `places` of them after the point,
/// in one of the units offered for the field (the first is the declared one; the others are
/// convertible, of another kind, or not a unit at all).
#[derive(Arbitrary, Debug)]
struct Qty {
    mantissa: i64,
    digits: u8,
    places: u8,
    unit: u8,
    /// Written as a bare JSON number instead of a text with its unit.
    bare: bool,
}

impl Qty {
    fn number(&self) -> String {
        let digits = u32::from(self.digits % 20);
        let m = if digits >= 19 {
            i128::from(self.mantissa)
        } else {
            i128::from(self.mantissa) % 10i128.pow(digits)
        };
        let places = usize::from(self.places % 12);
        let negative = m < 0;
        let mut text = m.unsigned_abs().to_string();
        if places > 0 {
            while text.len() <= places {
                text.insert(0, '0');
            }
            text.insert(text.len() - places, '.');
        }
        if negative {
            text.insert(0, '-');
        }
        text
    }

    fn json(&self, units: &[&str]) -> String {
        let number = self.number();
        if self.bare {
            return number;
        }
        let unit = units[usize::from(self.unit) % units.len()];
        format!("\"{number} {unit}\"")
    }
}

/// A calendar date, possibly impossible (month 13, day 31 in February …).
#[derive(Arbitrary, Debug)]
struct Day {
    year: u16,
    month: u8,
    day: u8,
}

impl Day {
    fn json(&self) -> String {
        let year = 1900 + self.year % 300;
        let month = 1 + self.month % 13;
        let day = 1 + self.day % 32;
        format!("\"{year:04}-{month:02}-{day:02}\"")
    }
}

/// A choice: one of the protocol's values, or (rarely) an unknown one.
#[derive(Arbitrary, Debug)]
struct Choice(u8);

impl Choice {
    fn json(&self, values: &[&str]) -> String {
        let i = usize::from(self.0) % (values.len() + 1);
        format!("\"{}\"", values.get(i).copied().unwrap_or("unknown"))
    }
}

#[derive(Arbitrary, Debug)]
struct Oral {
    phase: Choice,
    age: Qty,
    dose: Option<Qty>,
    doses_per_day: Option<i8>,
    days_at_dose: Option<Qty>,
    response: Option<Choice>,
    crcl: Option<Qty>,
    start_date: Option<Day>,
    proposed_dose: Option<Qty>,
    stop_reason: Option<Choice>,
}

#[derive(Arbitrary, Debug)]
struct TestDose {
    dose: Qty,
    positive: bool,
    effect_duration: Option<Qty>,
}

#[derive(Arbitrary, Debug)]
struct Intrathecal {
    phase: Choice,
    origin: Choice,
    age: Qty,
    small_patient: Option<bool>,
    test_doses: Option<Vec<TestDose>>,
    daily_dose: Option<Qty>,
    hours_since_change: Option<Qty>,
    response: Option<Choice>,
    pump: Option<Choice>,
    reservoir_volume: Option<Qty>,
    concentration: Option<Qty>,
    alarm_volume: Option<Qty>,
    last_refill: Option<Day>,
    today: Option<Day>,
    proposed_daily_dose: Option<Qty>,
}

#[derive(Arbitrary, Debug)]
enum Patient {
    Oral(Oral),
    Intrathecal(Intrathecal),
}

const YEARS: &[&str] = &["years", "year", "months", "days", "mg"];
const MG: &[&str] = &["mg", "mcg", "g", "mg/day", "mL", "ug"];
const DAYS: &[&str] = &["days", "day", "h", "week", "min", "months"];
const ML_MIN: &[&str] = &["mL/min", "L/h", "mL/h", "mL"];
const MCG: &[&str] = &["mcg", "mg", "mcg/day", "ug"];
const MCG_DAY: &[&str] = &["mcg/day", "mg/day", "mcg/h", "mcg", "mg/h"];
const HOURS: &[&str] = &["h", "min", "day", "days", "s"];
const ML: &[&str] = &["mL", "L", "mg"];
const MCG_ML: &[&str] = &["mcg/mL", "mg/mL", "mcg/L", "mcg"];
const RESPONSE: &[&str] = &["adequate", "inadequate", "adverse"];

/// Writes `"name": value` pairs into a JSON object.
struct Object(String);

impl Object {
    fn new() -> Self {
        Object(String::from("{"))
    }

    fn field(&mut self, name: &str, value: Option<String>) {
        if let Some(value) = value {
            if self.0.len() > 1 {
                self.0.push_str(", ");
            }
            let _ = write!(self.0, "\"{name}\": {value}");
        }
    }

    fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

impl Oral {
    fn json(&self) -> String {
        let mut o = Object::new();
        o.field(
            "phase",
            Some(self.phase.json(&["start", "titrate", "discontinue"])),
        );
        o.field("age", Some(self.age.json(YEARS)));
        o.field("dose", self.dose.as_ref().map(|q| q.json(MG)));
        o.field(
            "doses_per_day",
            self.doses_per_day.map(|n| (n % 6).to_string()),
        );
        o.field(
            "days_at_dose",
            self.days_at_dose.as_ref().map(|q| q.json(DAYS)),
        );
        o.field("response", self.response.as_ref().map(|c| c.json(RESPONSE)));
        o.field("crcl", self.crcl.as_ref().map(|q| q.json(ML_MIN)));
        o.field("start_date", self.start_date.as_ref().map(Day::json));
        o.field(
            "proposed_dose",
            self.proposed_dose.as_ref().map(|q| q.json(MG)),
        );
        o.field(
            "stop_reason",
            self.stop_reason
                .as_ref()
                .map(|c| c.json(&["planned", "serious_adverse_reaction"])),
        );
        o.finish()
    }
}

impl Intrathecal {
    fn json(&self) -> String {
        let mut o = Object::new();
        o.field(
            "phase",
            Some(self.phase.json(&["screening", "titration", "maintenance"])),
        );
        o.field("origin", Some(self.origin.json(&["spinal", "cerebral"])));
        o.field("age", Some(self.age.json(YEARS)));
        o.field("small_patient", self.small_patient.map(|b| b.to_string()));
        o.field(
            "test_doses",
            self.test_doses.as_ref().map(|tests| {
                let items: Vec<String> = tests
                    .iter()
                    .take(8)
                    .map(|t| {
                        let mut item = Object::new();
                        item.field("dose", Some(t.dose.json(MCG)));
                        let response = if t.positive { "positive" } else { "negative" };
                        item.field("response", Some(format!("\"{response}\"")));
                        item.field(
                            "effect_duration",
                            t.effect_duration.as_ref().map(|q| q.json(HOURS)),
                        );
                        item.finish()
                    })
                    .collect();
                format!("[{}]", items.join(", "))
            }),
        );
        o.field(
            "daily_dose",
            self.daily_dose.as_ref().map(|q| q.json(MCG_DAY)),
        );
        o.field(
            "hours_since_change",
            self.hours_since_change.as_ref().map(|q| q.json(HOURS)),
        );
        o.field("response", self.response.as_ref().map(|c| c.json(RESPONSE)));
        o.field(
            "pump",
            self.pump.as_ref().map(|c| {
                c.json(&[
                    "synchromed_ii_20ml",
                    "synchromed_ii_40ml",
                    "prometra_20ml",
                    "prometra_ii_40ml",
                ])
            }),
        );
        o.field(
            "reservoir_volume",
            self.reservoir_volume.as_ref().map(|q| q.json(ML)),
        );
        o.field(
            "concentration",
            self.concentration.as_ref().map(|q| q.json(MCG_ML)),
        );
        o.field(
            "alarm_volume",
            self.alarm_volume.as_ref().map(|q| q.json(ML)),
        );
        o.field("last_refill", self.last_refill.as_ref().map(Day::json));
        o.field("today", self.today.as_ref().map(Day::json));
        o.field(
            "proposed_daily_dose",
            self.proposed_daily_dose.as_ref().map(|q| q.json(MCG_DAY)),
        );
        o.finish()
    }
}

fuzz_target!(|patient: Patient| {
    let protocols = common::protocols();
    let (protocol, text) = match &patient {
        Patient::Oral(p) => (&protocols[0], p.json()),
        Patient::Intrathecal(p) => (&protocols[1], p.json()),
    };
    let program = protocol.program();
    match protocol.read_patient("fuzz.json", &text, Format::Json, &[]) {
        Err(diags) => {
            common::note("refused");
            assert!(!diags.is_empty(), "a patient refused without a diagnostic");
            for d in &diags {
                common::check_structure(d, &text);
            }
        }
        Ok(read) => {
            let options = posology::Options { trace: true };
            match protocol.evaluate(&read, options) {
                Ok(decision) => {
                    common::note(&format!("decision {}", decision.status.word()));
                    common::check_decision(program, read.values(), &decision);
                    // Reports must not panic either.
                    let _ = posology::report::text::decision(program, &decision, true);
                    let _ = posology::report::json::decision(program, &decision, true);
                }
                Err(d) => {
                    common::note(d.code);
                    common::check_structure(&d, &program.source.text);
                }
            }
        }
    }
});
