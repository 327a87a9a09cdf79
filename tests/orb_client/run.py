#!/usr/bin/env python3
"""Orb's official Python client (orb-billing, PyPI, pinned in requirements.txt), unmodified,
against `counterfoil serve` with base_url set to its /orb/v1 (docs/events.md).

Starts `counterfoil serve` on a fresh book on a simulated clock on 127.0.0.1, seeds a buyer
with a subscription and an external customer id through /rpc, makes a finance token, and
drives every event route through the client: ingest (a duplicate and a refused event),
search, amend (as the client sends it), deprecate and volume, with figures checked; and the
client's own errors for an unknown event and an unknown token. (schemathesis checks the same
routes against their OpenAPI document in tests/api_fuzz.)

Usage: run.py PATH/TO/counterfoil   (the test command builds it and calls this)
"""

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))
from pytools import ensure_venv, rpc, serve  # noqa: E402  (tests/support/pytools.py)
START = "2025-01-15T10:00:00Z"


def seed(base: str) -> str:
    """A buyer subscribed at the start, known as "acme"; the clock then moves to the evening."""
    service = rpc(base, "list_services", {})["items"][0]
    plan = rpc(base, "create_plan", {"service_id": service["id"], "name": "Tokens",
                                     "setup_fee": "0", "cost_per_month": "0",
                                     "trial_period_days": 0, "state": "published"})
    account = rpc(base, "create_account", {"org_name": "Acme"})
    rpc(base, "subscribe", {"account_id": account["id"], "plan_id": plan["id"], "name": "Acme app"})
    rpc(base, "set_external_customer_id", {"account_id": account["id"], "external_customer_id": "acme"})
    rpc(base, "advance_clock", {"to": "2025-01-15T18:00:00Z"})
    return account["id"]


CHECKS = r'''
import sys
from datetime import datetime, timezone
import orb

base, token, customer = sys.argv[1], sys.argv[2], sys.argv[3]
client = orb.Orb(api_key=token, base_url=base, max_retries=0)

def event(key, at, tokens):
    return {"event_name": "completion", "timestamp": at, "idempotency_key": key,
            "external_customer_id": "acme", "properties": {"tokens": tokens, "region": "eu"}}

taken = client.events.ingest(events=[
    event("e1", "2025-01-15T13:00:00Z", 100),
    event("e2", "2025-01-15T13:30:00Z", 50),
    event("e1", "2025-01-15T13:45:00Z", 7),
    {"event_name": "completion", "timestamp": "2025-01-16T00:00:00Z", "idempotency_key": "bad",
     "customer_id": "404404", "properties": {}},
])
assert [f.idempotency_key for f in taken.validation_failed] == ["bad"], taken
reasons = " ".join(taken.validation_failed[0].validation_errors)
assert "the event is in the future" in reasons and "there is no customer 404404" in reasons, reasons

found = client.events.search(event_ids=["e1", "e2"])
assert [e.id for e in found.data] == ["e1", "e2"], found
assert found.data[0].properties["tokens"] == 100, "a duplicate never replaces the first"
assert found.data[0].customer_id == customer and found.data[0].external_customer_id == "acme"
assert found.data[0].timestamp == datetime(2025, 1, 15, 13, 0, tzinfo=timezone.utc)
assert found.data[0].deprecated is False

amended = client.events.update("e1", event_name="completion", timestamp="2025-01-15T13:00:00Z",
                               properties={"tokens": 120, "region": "eu"}, external_customer_id="acme")
assert amended.amended == "e1", amended
assert client.events.search(event_ids=["e1"]).data[0].properties["tokens"] == 120

deprecated = client.events.deprecate("e2")
assert deprecated.deprecated == "e2", deprecated
assert client.events.search(event_ids=["e2"]).data[0].deprecated is True

volume = client.events.volume.list(timeframe_start="2025-01-15T00:00:00Z",
                                   timeframe_end="2025-01-16T00:00:00Z")
assert [(b.timeframe_start.hour, b.count) for b in volume.data] == [(13, 1)], volume

try:
    client.events.update("missing", event_name="x", timestamp="2025-01-15T13:00:00Z",
                         properties={}, customer_id=customer)
    raise AssertionError("an unknown event was amended")
except orb.NotFoundError as error:
    assert error.status_code == 404

try:
    orb.Orb(api_key="not-a-token", base_url=base, max_retries=0).events.search(event_ids=["e1"])
    raise AssertionError("an unknown token was let in")
except orb.AuthenticationError as error:
    assert error.status_code == 401
print("orb-billing: every event route answered as the client expects")
'''


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    counterfoil = Path(sys.argv[1]).resolve()
    python = ensure_venv(HERE)
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "orb.book"
        made = subprocess.run(
            [str(counterfoil), "token", "create", "--book", str(book), "--name", "orb client",
             "--scopes", "finance", "--permission", "rw"],
            check=True, capture_output=True, text=True,
        )
        token = made.stdout.strip().splitlines()[-1]
        log = Path(tmp) / "server.log"
        server, base = serve(counterfoil, book, log, "/orb/v1/openapi.json", "--clock", START)
        status = 1
        try:
            customer = seed(base)
            status = subprocess.run(
                [str(python), "-c", CHECKS, f"{base}/orb/v1", token, customer]
            ).returncode
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            if status:
                print(log.read_text()[-4000:], file=sys.stderr)
        return status


if __name__ == "__main__":
    sys.exit(main())
