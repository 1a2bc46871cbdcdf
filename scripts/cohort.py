#!/usr/bin/env python3
"""Generates a cohort of intrathecal baclofen maintenance patients as JSONL, for `posology cohort`
and `posology diff` (protocols/baclofen_intrathecal/cohort_maintenance.jsonl).

Deterministic: the same seed and count give the same file. Values stay inside the protocol's
declared input ranges and satisfy its `require`s, so every row is a patient the protocol decides
for; the daily doses are spread so that some patients sit near, between or above the policy
maximums of version 1 (2000 mcg/day) and version 2 (1500 mcg/day).

    python3 scripts/cohort.py > protocols/baclofen_intrathecal/cohort_maintenance.jsonl
    python3 scripts/cohort.py --count 1000000 > /tmp/million.jsonl
"""

import argparse
import datetime
import json
import random
import sys

SEED = 20261201
PUMPS = [("synchromed_ii_20ml", 20), ("synchromed_ii_40ml", 40), ("prometra_20ml", 20), ("prometra_ii_40ml", 40)]
CONCENTRATIONS = [500, 1000, 2000]


def daily_dose(rng):
    """Mostly ordinary maintenance doses, with a tail near and above the policy maximums."""
    band = rng.random()
    if band < 0.6:
        return rng.randrange(100, 1000, 10)
    if band < 0.85:
        return rng.randrange(1000, 1500, 10)
    return rng.randrange(1500, 2400, 10)


def patient(rng):
    dose = daily_dose(rng)
    p = {
        "phase": "maintenance",
        "origin": rng.choice(["spinal", "spinal", "cerebral"]),
        "age": f"{rng.randint(4, 85)} years",
        "daily_dose": f"{dose} mcg/day",
        "hours_since_change": f"{rng.choice([6, 12, 23, 24, 48, 168, 720, 2000])} h",
        "response": rng.choice(["adequate", "adequate", "inadequate", "adverse"]),
    }
    if rng.random() < 0.7:
        pump, size = rng.choice(PUMPS)
        p["pump"] = pump
        p["concentration"] = f"{rng.choice(CONCENTRATIONS)} mcg/mL"
        day = datetime.date(2026, 11, 1) + datetime.timedelta(days=rng.randint(0, 29))
        p["last_refill"] = day.isoformat()
    if rng.random() < 0.3:
        step = rng.choice([80, 90, 100, 110, 120, 130, 140])
        p["proposed_daily_dose"] = f"{min(dose * step // 100, 3000)} mcg/day"  # the declared range
    return p


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = sys.stdout
    for _ in range(args.count):
        out.write(json.dumps(patient(rng)) + "\n")


if __name__ == "__main__":
    main()
