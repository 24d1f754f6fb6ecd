#!/usr/bin/env bash
# Bot checks: `rasa data validate`, the test stories (es + en) against a trained model with the
# action server running, and NLU accuracy on held-out customer phrasings. Exits non-zero on failure.
#
#   bot/test.sh                      # uses/trains the cached model (python -m ops.train)
#   bot/test.sh var/models/x.tar.gz  # a given model
#   NLU_MIN_ACCURACY=0.85 ACTION_PORT=5056 bot/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RASA=$ROOT/.venv-rasa/bin/rasa
PY=$ROOT/.venv/bin/python
NLU_MIN_ACCURACY=${NLU_MIN_ACCURACY:-0.85}
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bot-test.XXXXXX")
ACTIONS_PID=""
cleanup() {
  if [[ -n "$ACTIONS_PID" ]]; then kill "$ACTIONS_PID" 2>/dev/null || true; wait "$ACTIONS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== 1/4 rasa data validate"
"$RASA" data validate --domain domain.yml --data bot/data --config config.yml >"$WORK/validate.log" 2>&1 \
  || { cat "$WORK/validate.log"; echo "FAIL: rasa data validate"; exit 1; }
# Responses uttered by custom actions (utter_order_*, utter_handoff_*, utter_faq_*, ...) are never in a
# rule, so Rasa reports them as "not used in any story or rule"; every other warning fails the check.
warnings=$(grep -a "UserWarning" "$WORK/validate.log" \
  | grep -v -E "The utterance 'utter_(order_[a-z_]+|handoff_[a-z_]+|faq_[a-z_]+|ask_order_number|default)' is not used in any story or rule" \
  || true)
if [[ -n "$warnings" ]]; then echo "$warnings"; echo "FAIL: rasa data validate has warnings"; exit 1; fi
echo "   ok"

echo "== 2/4 model"
MODEL=${1:-}
if [[ -z "$MODEL" ]]; then MODEL=$("$PY" -m ops.train); fi
[[ -f "$MODEL" ]] || { echo "FAIL: no model at $MODEL"; exit 1; }
echo "   $MODEL"

echo "== 3/4 action server"
ACTION_PORT=${ACTION_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
cat >"$WORK/endpoints.yml" <<YAML
action_endpoint:
  url: "http://127.0.0.1:$ACTION_PORT/webhook"
YAML
DATA_DIR="$WORK/data" "$PY" -m rasa_sdk --actions actions --port "$ACTION_PORT" >"$WORK/actions.log" 2>&1 &
ACTIONS_PID=$!
for _ in $(seq 1 120); do
  if "$PY" -c "import httpx,sys; sys.exit(httpx.get('http://127.0.0.1:$ACTION_PORT/health').status_code != 200)" 2>/dev/null; then break; fi
  kill -0 "$ACTIONS_PID" 2>/dev/null || { cat "$WORK/actions.log"; echo "FAIL: action server died"; exit 1; }
  sleep 1
done
echo "   up on :$ACTION_PORT"

echo "== 4/4 test stories and held-out NLU"
status=0
"$RASA" test core --e2e --stories bot/tests/test_stories.yml --model "$MODEL" --endpoints "$WORK/endpoints.yml" \
  --out "$WORK/core" --fail-on-prediction-errors --no-plot >"$WORK/core.log" 2>&1 || status=1
grep -a -E "Correct:|Accuracy:" "$WORK/core.log" | sed 's/^.*rasa.core.test  - /   stories /' | head -2 || true
if ! grep -a -q -E "Evaluating [1-9][0-9]* stories" "$WORK/core.log"; then status=1; fi  # 0 stories = broken
if [[ $status -ne 0 ]] || ! grep -q "None of the test stories failed" "$WORK/core/failed_test_stories.yml" 2>/dev/null; then
  tail -40 "$WORK/core.log"; cat "$WORK/core/failed_test_stories.yml" 2>/dev/null || true
  echo "FAIL: test stories"; exit 1
fi
"$RASA" test nlu --nlu bot/tests/nlu_holdout.yml --model "$MODEL" --out "$WORK/nlu" --no-plot \
  >"$WORK/nlu.log" 2>&1 || { tail -30 "$WORK/nlu.log"; echo "FAIL: rasa test nlu"; exit 1; }
"$PY" - "$WORK/nlu" "$NLU_MIN_ACCURACY" <<'PYCODE'
import json, pathlib, sys
out, floor = pathlib.Path(sys.argv[1]), float(sys.argv[2])
accuracy = json.loads((out / "intent_report.json").read_text())["accuracy"]
errors = json.loads((out / "intent_errors.json").read_text()) if (out / "intent_errors.json").exists() else []
for e in errors:
    print(f"   miss: {e['text']!r} -> {e['intent_prediction']['name']} (expected {e['intent']})")
print(f"   held-out NLU intent accuracy {accuracy:.3f} (floor {floor})")
sys.exit(0 if accuracy >= floor else 1)
PYCODE
echo "bot tests passed"
