// The generated protocol of the `cohort` bench, shared with the hand-written reader's tests
// (`src/syntax/descent/tests.rs`), which hold that the reader reads it without falling back to
// pest: both `include!` this file, so the protocol measured is the protocol tested.

/// A protocol of `rules` rules in a phase's `decide first`, each like a real one: a condition
/// on two inputs, a dose, a note quoting a value, a label section (about 190 bytes a rule;
/// issue 14's were 172: 1,000 rules 168 KB, 5,000 rules 860 KB). Each rule takes a band of
/// its own, as a label's rows do, so every rule can fire (rules that earlier ones cover would
/// each be a warning, which no real protocol has by the thousand).
fn many_rules(rules: usize) -> String {
    let mut text = format!(
        "protocol many {{\n  version \"1.0.0\"\n  source \"generated\"\n  route \"oral\"\n  \
         inputs {{\n    dose: mg in 0 mg..{rules} mg\n    age: years in 0 years..120 years\n    \
         kind: a | b | c\n  }}\n  limit dose <= {rules} mg hard because \"ceiling\"\n  \
         phase main {{\n    decide first {{\n",
    );
    for i in 0..rules {
        text.push_str(&format!(
            "      r{i}: when dose >= {} mg and dose < {} mg and (age < {} years or kind == b) source \"Label D&A, Section {i}\"\n        \
             => give dose * {}% ; note n{i}: \"rule {i} for {{dose}} at {{age}}\"\n",
            i,
            i + 1,
            18 + i % 60,
            50 + i % 50,
        ));
    }
    text.push_str("      otherwise => give dose\n    }\n  }\n}\n");
    text
}
