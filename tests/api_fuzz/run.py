#!/usr/bin/env python3
"""Property-based fuzzing of the 3scale-compatible API from its own OpenAPI document.

Starts `counterfoil serve` on a fresh book on 127.0.0.1, seeds a few buyers, services, plans,
applications and invoices through /rpc, makes a read-write token, and runs schemathesis
against /api/openapi.json, then against Orb's API at /orb/v1/openapi.json (the token as a
Bearer header): no request may get a 5xx, and every answer must match its documented status
codes, content type and schema.

Usage: run.py PATH/TO/counterfoil   (the test command builds it and calls this)
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))
from pytools import ensure_venv, rpc, serve  # noqa: E402  (tests/support/pytools.py)
VENV = HERE / ".venv"


def seed(base: str) -> None:
    """Something for every route to find: buyers, a service with a plan and rules, apps,
    invoices in several states."""
    # A new book's own service (id 1, as the fuzzer's parameters say), renamed.
    own = rpc(base, "list_services", {})["items"][0]
    service = rpc(base, "update_service", {"id": own["id"], "name": "Fuzz API"})
    metrics = rpc(base, "list_metrics", {"service_id": service["id"]})
    plan = rpc(
        base,
        "create_plan",
        {"service_id": service["id"], "name": "Pro", "setup_fee": "10", "cost_per_month": "49",
         "trial_period_days": 0, "state": "published"},
    )
    rpc(base, "create_pricing_rule",
        {"plan_id": plan["id"], "metric_id": metrics[0]["id"], "min": 1, "max": 1000,
         "cost_per_unit": "0.01"})
    for n, vat in enumerate([None, "0", "21"]):
        account = rpc(base, "create_account", {"org_name": f"Buyer {n}", "vat_rate": vat})
        rpc(base, "subscribe", {"account_id": account["id"], "plan_id": plan["id"], "name": f"app {n}"})
        invoice = rpc(base, "create_invoice", {"account_id": account["id"]})
        rpc(base, "add_line_item",
            {"invoice_id": invoice["invoice"]["id"], "name": "Consulting", "cost": "12.5"})
        if n > 0:
            rpc(base, "transition_invoice", {"id": invoice["invoice"]["id"], "state": "pending"})
    # An event for Orb's routes that name one (its id is its key), a second after the buyers'
    # subscriptions began.
    time.sleep(1.1)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    rpc(base, "ingest_events", {"events": [
        {"idempotency_key": "fuzz-event", "event_name": "completion", "timestamp": now,
         "customer_id": account["id"], "properties": {"tokens": 1}}]})


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    counterfoil = Path(sys.argv[1]).resolve()
    python = ensure_venv(HERE)
    schemathesis = VENV / "bin" / "schemathesis"
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "fuzz.book"
        # Token 1 is a decoy the fuzzer may delete (it tries every id 1); it uses token 2.
        subprocess.run(
            [str(counterfoil), "token", "create", "--book", str(book), "--name", "decoy",
             "--scopes", "finance", "--permission", "ro"],
            check=True, capture_output=True, text=True,
        )
        made = subprocess.run(
            [str(counterfoil), "token", "create", "--book", str(book), "--name", "fuzz",
             "--scopes", "account_management,finance", "--permission", "rw"],
            check=True, capture_output=True, text=True,
        )
        token = made.stdout.strip().splitlines()[-1]
        server, base = serve(counterfoil, book, Path(tmp) / "server.log", "/api/openapi.json")
        status = 1
        try:
            seed(base)
            config = Path(tmp) / "schemathesis.toml"
            # The token goes where 3scale's clients put it: the query string.
            # Ids that exist, so the fuzzer reaches past the 404s into each route's logic.
            config.write_text(
                "[parameters]\n"
                f'"access_token" = "{token}"\n'
                '"id" = 1\n"account_id" = 1\n"line_id" = 1\n'
                '"service_id" = 1\n"metric_id" = 1\n"plan_id" = 1\n'
            )
            run = subprocess.run(
                # Through the venv's python: the script's #! line names the folder the venv
                # was made in, and a moved venv would fail to start it.
                [str(python), str(schemathesis), "--config-file", str(config), "run", f"{base}/api/openapi.json",
                 "--checks", "not_a_server_error,status_code_conformance,"
                 "content_type_conformance,response_schema_conformance",
                 "--phases", "examples,coverage,fuzzing",
                 "--max-examples", os.environ.get("FUZZ_EXAMPLES", "50"),
                 "--workers", "1", "--request-timeout", "10",
                 "--suppress-health-check", "all",
                 "--seed", "20261122"],
            )
            status = run.returncode
            # Orb's API (/orb/v1), with the token as Orb's clients send it.
            orb_config = Path(tmp) / "orb.toml"
            orb_config.write_text('[parameters]\n"event_id" = "fuzz-event"\n')
            orb = subprocess.run(
                [str(python), str(schemathesis), "--config-file", str(orb_config),
                 "run", f"{base}/orb/v1/openapi.json",
                 "--header", f"Authorization: Bearer {token}",
                 "--checks", "not_a_server_error,status_code_conformance,"
                 "content_type_conformance,response_schema_conformance",
                 "--phases", "examples,coverage,fuzzing",
                 "--max-examples", os.environ.get("FUZZ_EXAMPLES", "50"),
                 "--workers", "1", "--request-timeout", "10",
                 "--suppress-health-check", "all",
                 "--seed", "20261208"],
            )
            status = status or orb.returncode
        finally:
            server.terminate()
            try:
                code = server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                code = None
            print((Path(tmp) / "server.log").read_text()[-4000:], file=sys.stderr) if status else None
        if code not in (0, -15):
            print(f"the server did not stop cleanly on SIGTERM (exit {code})", file=sys.stderr)
            return 1
        return status


if __name__ == "__main__":
    sys.exit(main())
