#!/bin/sh
# Seeds the fuzz corpora (fuzz/corpus/, not under version control) from the bundled protocols,
# the invalid protocols of tests/check/, the patient cases and the robustness fixtures.
# Run from anywhere; safe to run again (it only adds files).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
corpus="$root/fuzz/corpus"
mkdir -p "$corpus/protocol" "$corpus/patient" "$corpus/evaluate"
for f in "$root"/protocols/*.dose "$root"/tests/check/*.dose "$root"/tests/robustness/*.dose; do
  [ -f "$f" ] && cp "$f" "$corpus/protocol/$(basename "$f")"
done
# The patient target reads its first byte as the format (value modulo 3: JSON, YAML, TOML).
for f in "$root"/protocols/*/cases/* "$root"/tests/robustness/*.json "$root"/tests/robustness/*.yaml "$root"/tests/robustness/*.toml; do
  [ -f "$f" ] || continue
  case "$f" in
    *.json) prefix=0 ;;
    *.yaml|*.yml) prefix=1 ;;
    *.toml) prefix=2 ;;
    *) continue ;;
  esac
  { printf '%s' "$prefix"; cat "$f"; } > "$corpus/patient/$(basename "$f")"
done
# The evaluate target reads structured data; any bytes are a start.
for f in "$root"/protocols/*/cases/*.json; do
  head -c 256 "$f" > "$corpus/evaluate/$(basename "$f")"
done
echo "seeded: $(ls "$corpus/protocol" | wc -l) protocols, $(ls "$corpus/patient" | wc -l) patients, $(ls "$corpus/evaluate" | wc -l) evaluate seeds"
# YAML and TOML spellings of the JSON cases (block YAML, TOML with inline tables), if python3 is here.
if command -v python3 >/dev/null 2>&1; then
  python3 - "$root" "$corpus/patient" <<'PY'
import json, pathlib, sys
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def scalar(v):
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, (int, float)): return str(v)
    return json.dumps(v)
def toml(v):
    if isinstance(v, dict): return "{ " + ", ".join(f"{k} = {toml(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list): return "[" + ", ".join(toml(x) for x in v) + "]"
    return scalar(v)
def yaml(v, indent=""):
    lines = []
    for k, x in v.items():
        if isinstance(x, list):
            lines.append(f"{indent}{k}:" + (" []" if not x else ""))
            for item in x:
                if isinstance(item, dict):
                    first = True
                    for ik, iv in item.items():
                        lines.append(f"{indent}  {'- ' if first else '  '}{ik}: {scalar(iv)}")
                        first = False
                else:
                    lines.append(f"{indent}  - {scalar(item)}")
        elif isinstance(x, dict):
            lines.append(f"{indent}{k}:"); lines += yaml(x, indent + "  ")
        else:
            lines.append(f"{indent}{k}: {scalar(x)}")
    return lines
for f in sorted(root.glob("protocols/*/cases/*.json")):
    try: data = json.loads(f.read_text())
    except Exception: continue
    if not isinstance(data, dict): continue
    (out / (f.stem + ".as.yaml")).write_text("1" + "\n".join(yaml(data)) + "\n")
    (out / (f.stem + ".as.toml")).write_text("2" + "\n".join(f"{k} = {toml(x)}" for k, x in data.items()) + "\n")
PY
  echo "added YAML and TOML spellings: $(ls "$corpus/patient" | wc -l) patients"
fi
