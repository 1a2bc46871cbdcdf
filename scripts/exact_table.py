#!/usr/bin/env python3
"""Generates tests/data/exact_table.txt: random arithmetic over decimals with exact results.

Each line is `expression<TAB>expected`, where expected is one of
  * `value<TAB>p/q<TAB>display`: the exact value in lowest terms and how Posology shows it
    (every digit of a terminating decimal, else `~` and 4 decimal places, or 4 significant
    digits if that rounds to zero; ties away from zero);
  * `bool<TAB>true` or `bool<TAB>false` for a comparison;
  * `error<TAB>CODE` for a division by zero or a value out of bounds.

The results come from Python's `fractions` (exact rationals), independently of Posology;
tests/exact_table.rs evaluates every expression through Posology's parser, checker and
evaluator and compares. Deterministic: the same seed gives the same table.

    python3 scripts/exact_table.py > tests/data/exact_table.txt
"""

import random
import sys
from fractions import Fraction

SEED = 20261124
COUNT = 12_000
MAX_BITS = 256  # src/units/rational.rs: MAX_BITS
MAX_MAGNITUDE = 2**96  # src/units/rational.rs: MAX_MAGNITUDE_BITS


class EvalError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def bounded(v):
    """Posology's bound on every arithmetic result."""
    if (
        abs(v.numerator).bit_length() > MAX_BITS
        or v.denominator.bit_length() > MAX_BITS
        or abs(v) >= MAX_MAGNITUDE
    ):
        raise EvalError("posology::value::overflow")
    return v


def literal(rng):
    """A decimal literal in safe notation (no trailing zero, a zero before the point)."""
    kind = rng.random()
    if kind < 0.35:
        n = rng.randint(0, 200)
        return str(n), Fraction(n)
    places = rng.randint(1, 5)
    digits = rng.randint(1, 10 ** rng.randint(1, 6))
    value = Fraction(digits, 10**places)
    text = format_terminating(value)
    return text, value


def format_terminating(v):
    """Every digit of a terminating value, safe notation."""
    sign = "-" if v < 0 else ""
    v = abs(v)
    d = v.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    assert d == 1
    scale = max(twos, fives)
    digits = str(v.numerator * 10**scale // v.denominator)
    if scale == 0:
        body = digits
    else:
        digits = digits.rjust(scale + 1, "0")
        intpart, frac = digits[:-scale], digits[-scale:].rstrip("0")
        body = intpart if not frac else f"{intpart}.{frac}"
    if body == "0":
        return "0"
    return sign + body


def terminates(v):
    d = v.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def round_half_away(v):
    """The nearest whole number, ties away from zero."""
    a = abs(v)
    n = int(a + Fraction(1, 2))  # floor(a + 1/2) for a ≥ 0
    return -n if v < 0 else n


def scaled_text(n, scale):
    """`n / 10^scale` in safe notation (trailing zeros dropped)."""
    return format_terminating(Fraction(n, 10**scale))


def display(v):
    if terminates(v):
        return format_terminating(v)
    rounded = round_half_away(v * 10**4)
    if rounded != 0:
        return "~" + scaled_text(rounded, 4)
    # 4 significant digits: 10^e ≤ |v| < 10^(e+1)
    a = abs(v)
    e = 0
    while Fraction(10) ** e > a:
        e -= 1
    while Fraction(10) ** (e + 1) <= a:
        e += 1
    places = 4 - 1 - e
    return "~" + scaled_text(round_half_away(v * Fraction(10) ** places), places)


def gen_expr(rng, depth):
    """(text, thunk) where thunk() evaluates it exactly in Posology's order."""
    if depth <= 0 or rng.random() < 0.25:
        text, value = literal(rng)
        if rng.random() < 0.1:
            return f"-{text}", lambda value=value: -value
        return text, lambda value=value: value
    r = rng.random()
    if r < 0.08:
        inner, f = gen_expr(rng, depth - 1)
        return f"-({inner})", lambda f=f: -f()
    op = rng.choice("+-*/")
    lt, lf = gen_expr(rng, depth - 1)
    rt, rf = gen_expr(rng, depth - 1)
    if rng.random() < 0.04 and op == "/":
        # A divisor that is zero at run time.
        rt, rf = f"({rt} - {rt})", (lambda rf=rf: rf() - rf())

    def thunk(lf=lf, rf=rf, op=op):
        a = lf()
        b = rf()
        if op == "+":
            return bounded(a + b)
        if op == "-":
            return bounded(a - b)
        if op == "*":
            return bounded(a * b)
        if b == 0:
            raise EvalError("posology::value::division_by_zero")
        return bounded(a / b)

    return f"({lt} {op} {rt})", thunk


def strip_outer(text):
    """`(a + b)` → `a + b` when the brackets enclose the whole expression."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for i, c in enumerate(text):
        depth += c == "("
        depth -= c == ")"
        if depth == 0 and i < len(text) - 1:
            return text
    return text[1:-1]


def main():
    rng = random.Random(SEED)
    lines = []
    # The cases the issue names, first.
    fixed = [
        ("(140 - 36) / 72 * 54 / 2.6 == 30", "bool\ttrue"),
        ("(140 - 36) / 72 * 54 / 2.6 < 30", "bool\tfalse"),
        ("1 / 3 * 3 == 1", "bool\ttrue"),
        ("1 / 3 * 3", "value\t1/1\t1"),
        ("0.35 * 0.00075", "value\t21/80000\t0.0002625"),
        ("2 / 3", "value\t2/3\t~0.6667"),
        ("79228162514264337593543950335 * 10", "error\tposology::value::overflow"),
        ("1 / 0", "error\tposology::value::division_by_zero"),
        # With units: the same exactness, and a quotient of one kind cancels.
        ("(1 h / 1 week) * 168 == 1", "bool\ttrue"),
        ("10 mg / 3 * 3 == 10 mg", "bool\ttrue"),
        ("10 mg / 3", "value\t10/3\t~3.3333 mg"),
        ("300 mg/day * 50 mL/min / 15 mL/min", "value\t1000/1\t1000 mg/day"),
        ("300 mg/day * 50 mL/min", "value\t15000/1\t15000 mg·mL/day/min"),
        ("(6.3 mg/kg) / (1 mcg/g)", "value\t6300000/1\t6300000 mg/kg"),
        ("(6.3 mg/kg) / 0.000001", "value\t6300000/1\t6300000 mg/kg"),
        ("0.35 mL * 0.00075 mg/mL", "value\t21/80000\t0.0002625 mg"),
        ("1 mg/day == 125 mcg/h / 3", "bool\ttrue"),
        ("1 mg/day < 41.6667 mcg/h", "bool\ttrue"),
        # Rounding is exact: 18 mL at 200/300 mL/day lasts exactly 27 days.
        ("18 mL / (200 mL/day / 300) round down to 1 day", "value\t27/1\t27 days"),
        ("(18 mL / (200 mL/day / 300) - 1 s) round down to 1 day", "value\t26/1\t26 days"),
        ("2 mg / 3 round to 0.5 mg", "value\t1/2\t0.5 mg"),
        ("22.5 mg round to 5 mg", "value\t25/1\t25 mg"),
        ("-22.5 mg round to 5 mg", "value\t-25/1\t-25 mg"),
        ("floor(38 mL / (0.6 mL/day))", "value\t63/1\t63 days"),
        ("ceil(38 mL / (0.6 mL/day))", "value\t64/1\t64 days"),
        ("38 mL / (0.6 mL/day)", "value\t190/3\t~63.3333 days"),
    ]
    for expr, expected in fixed:
        lines.append(f"{expr}\t{expected}")
    while len(lines) < COUNT:
        depth = rng.randint(1, 5)
        if rng.random() < 0.02:
            # A chain of big factors: past 2^96 or past the bit budget, an overflow.
            terms = [str(rng.randint(10**8, 10**10)) for _ in range(rng.randint(3, 10))]
            ops = [rng.choice("*/") for _ in terms[1:]]
            text = terms[0] + "".join(f" {o} {t}" for o, t in zip(ops, terms[1:]))
            v = Fraction(int(terms[0]))
            try:
                for o, t in zip(ops, terms[1:]):
                    v = bounded(v * int(t) if o == "*" else v / int(t))
                expected = f"value\t{v.numerator}/{v.denominator}\t{display(v)}"
            except EvalError as e:
                expected = f"error\t{e.code}"
        elif rng.random() < 0.2:
            lt, lf = gen_expr(rng, depth - 1)
            rt, rf = gen_expr(rng, depth - 1)
            cmp = rng.choice(["==", "!=", "<", "<=", ">", ">="])
            if rng.random() < 0.3:
                # Equal values written differently: the interesting comparisons.
                rt, rf = f"({lt}) * 1", lf
            text = f"{strip_outer(lt)} {cmp} {strip_outer(rt)}"
            try:
                a, b = lf(), rf()
                result = {
                    "==": a == b,
                    "!=": a != b,
                    "<": a < b,
                    "<=": a <= b,
                    ">": a > b,
                    ">=": a >= b,
                }[cmp]
                expected = f"bool\t{'true' if result else 'false'}"
            except EvalError as e:
                expected = f"error\t{e.code}"
        else:
            text, f = gen_expr(rng, depth)
            text = strip_outer(text)
            try:
                v = f()
                expected = f"value\t{v.numerator}/{v.denominator}\t{display(v)}"
            except EvalError as e:
                expected = f"error\t{e.code}"
        lines.append(f"{text}\t{expected}")
    sys.stdout.write("".join(line + "\n" for line in lines))


if __name__ == "__main__":
    main()
