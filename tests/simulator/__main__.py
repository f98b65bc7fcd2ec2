# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``python -m tests.simulator``: serve the SGW API of an account on 127.0.0.1 (see docs/simulator.md)."""

from __future__ import annotations

import argparse
import pathlib
import signal
import sys
import threading

from tests.simulator.account import Account, AccountError, dump_document
from tests.simulator.faults import BEHAVIOURS, MALFORMED_KINDS, Faults
from tests.simulator.generate import Shape, generate_account
from tests.simulator.server import Simulator, SimulatorServer
from tests.simulator.service import Service
from tests.simulator.signature import AccessKey, Verifier

PROG = "python -m tests.simulator"
SAMPLE_ACCOUNT = pathlib.Path(__file__).resolve().parent / "data" / "sample_account.yml"
POLL_SECONDS = 0.2


def _access_key(text: str) -> AccessKey:
    try:
        return AccessKey.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _malformed(text: str) -> tuple[str, str]:
    region, colon, kind = text.partition(":")
    if not (region and colon) or kind not in MALFORMED_KINDS:
        raise argparse.ArgumentTypeError(f"{text!r} is not REGION:KIND with KIND one of {', '.join(MALFORMED_KINDS)}")
    return region, kind


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="A local simulator of the Alibaba Cloud Cloud Storage Gateway (SGW) API 2018-05-11.")
    serving = parser.add_argument_group("serving")
    serving.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serving.add_argument("--port", type=int, default=0, help="port to listen on; 0 (default) picks a free one")
    serving.add_argument("--access-key", action="append", default=[], type=_access_key, metavar="ID:SECRET[:TOKEN]",
                         help="an accepted credential, with its STS token if any (repeatable; at least one)")
    serving.add_argument("--tls", action="store_true", help="serve HTTPS with a fresh self-signed certificate")
    serving.add_argument("--cert-out", metavar="FILE", help="with --tls: write the CA certificate (PEM) here")
    serving.add_argument("--verbose", action="store_true", help="log every request to stderr")
    serving.add_argument("--sts-duration", type=float, metavar="S",
                         help="issue STS credentials that last at most S seconds (default: as asked, up to the role's "
                              "MaxSessionDuration)")

    data = parser.add_argument_group("account")
    source = data.add_mutually_exclusive_group()
    source.add_argument("--data", metavar="FILE", help="account file, YAML or JSON (default: the sample account)")
    source.add_argument("--generate", action="store_true", help="serve a synthetic account of the size below")
    shape = Shape()
    for name, help_text in (("regions", "regions"), ("groups-per-region", "sync groups per region"),
                            ("shares-per-group", "member shares per group"),
                            ("gateways-per-region", "gateways per region"),
                            ("candidates-per-group", "candidate shares per group (same bucket, no group)")):
        default = getattr(shape, name.replace("-", "_"))
        data.add_argument(f"--{name}", type=int, default=default, metavar="N", help=f"{help_text} (default {default})")
    data.add_argument("--member-account", action="append", default=[], metavar="FILE",
                      help="a member account file (repeatable): the account of its account_id joins the resource "
                           "directory whose management account is the one served (see docs/simulator.md)")
    data.add_argument("--seed", type=int, default=shape.seed, help="seed of --generate, ids and --throttle-rate")
    data.add_argument("--write", metavar="FILE", help="write the account (YAML, or JSON for .json) and exit")
    data.add_argument("--task-seconds", type=float, default=1.0, metavar="S", help="duration of a task (default 1)")
    data.add_argument("--full-sync-seconds", type=float, default=3.0, metavar="S",
                      help="time from MNSFullSyncInit to MNSHealthy for an added share (default 3)")

    data.add_argument("--strict-membership", action="store_true",
                      help="refuse to add a share that is already a member (ShareAlreadyInExpressSync) and to remove "
                           "a share that is in no group (ShareNotInExpressSync); by default both are ignored")

    faults = parser.add_argument_group("faults (also settable at run time with PUT /_sim/faults)")
    faults.add_argument("--latency", type=float, default=0, metavar="MS", help="delay added to every call")
    faults.add_argument("--throttle-rate", type=float, default=0.0, metavar="RATE",
                        help="fraction of calls answered Throttling.User (0..1)")
    faults.add_argument("--retry-after-ms", type=int, metavar="N", help="send x-acs-retry-after: N when throttling")
    faults.add_argument("--unavailable-region", action="append", default=[], metavar="REGION",
                        help="answer 503 ServiceUnavailable")
    faults.add_argument("--html-region", action="append", default=[], metavar="REGION",
                        help="answer 502 with an HTML page")
    faults.add_argument("--hang-region", action="append", default=[], metavar="REGION", help="never answer")
    faults.add_argument("--malformed-region", action="append", default=[], type=_malformed, metavar="REGION:KIND",
                        help=f"corrupt success bodies; KIND is one of {', '.join(MALFORMED_KINDS)}")
    faults.add_argument("--deny", action="append", default=[], metavar="ACTION[@ACCESS_KEY_ID]",
                        help="answer 403 Forbidden.RAM to this action (for this key only)")
    faults.add_argument("--hang-action", action="append", default=[], metavar="ACTION",
                        help="never answer this action, and do not run it (counted in the stats all the same)")
    faults.add_argument("--lose-reply", action="append", default=[], type=_lose_reply, metavar="ACTION[:KIND[:N]]",
                        help="apply the next N calls of this action (default 1), and lose their answer: KIND 502 "
                             "(a proxy's page, the default), drop (the connection closed) or truncated (half a body)")
    faults.add_argument("--hold-action", action="append", default=[], type=_hold_action, metavar="ACTION:SECONDS",
                        help="hold every call of this action SECONDS, then apply it (and answer it, if the client "
                             "still waits)")
    faults.add_argument("--fail-task", action="append", default=[], metavar="[ACTION@]EXPRESS_SYNC_ID",
                        help="tasks on this group (of this action only) end in task.state.failed")
    faults.add_argument("--missing-gateway", action="append", default=[], metavar="GATEWAY_ID",
                        help="this gateway is gone: DescribeGateways leaves it out (StorageBundleNotExist once its "
                             "cluster has no gateway left) while its shares are still listed")
    faults.add_argument("--max-query-bytes", type=int, default=0, metavar="N",
                        help="answer 414 to API calls whose query string is longer (8192 is a real front end's "
                             "limit; default 0, no limit)")

    behaviours = parser.add_argument_group(
        "undocumented behaviours (the first choice is the default; also settable with PUT /_sim/faults)")
    for name, choices in BEHAVIOURS.items():
        behaviours.add_argument("--" + name.replace("_", "-"), choices=choices, default=choices[0],
                                help=BEHAVIOUR_HELP[name])
    return parser


BEHAVIOUR_HELP = {
    "region_scope": "DescribeExpressSyncs lists the groups of the call's RegionId, or of the whole account",
    "candidate_sync_id": "candidates (IsExternal=true) carry the id of the group asked for, or an empty one",
    "unknown_ids": "DescribeExpressSyncShares answers ExpressSyncNotExist for an unknown id, or leaves it out",
    "total_count": "paged answers carry TotalCount, or leave it out",
    "alert_share": "ListAlertEvents names an event's share by ShareName, or by ShareIndexId (its IndexId)",
    "alert_events": "ListAlertEvents answers AlertEvents as a plain list, or wrapped as {AlertEvent: [...]}",
    "rd_management": "ListAccounts lists the management account of the resource directory, or only its members",
}


def _lose_reply(text: str):
    action, dummy, rest = text.partition(":")
    kind, dummy, count = rest.partition(":")
    try:
        return action, {"kind": kind or "502", "count": int(count or 1)}
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ACTION[:KIND[:N]], not {text!r}") from None


def _hold_action(text: str):
    action, dummy, seconds = text.partition(":")
    try:
        return action, float(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected ACTION:SECONDS, not {text!r}") from None


def faults_from_args(args: argparse.Namespace) -> Faults:
    return Faults.from_json({
        "latency_ms": args.latency, "throttle_rate": args.throttle_rate, "retry_after_ms": args.retry_after_ms,
        "unavailable_regions": args.unavailable_region, "html_regions": args.html_region,
        "hang_regions": args.hang_region, "malformed": dict(args.malformed_region), "deny": args.deny,
        "fail_tasks": args.fail_task, "hang_actions": args.hang_action, "missing_gateways": args.missing_gateway,
        "max_query_bytes": args.max_query_bytes, "lose_replies": dict(args.lose_reply),
        "hold_actions": dict(args.hold_action), **{name: getattr(args, name) for name in BEHAVIOURS},
    })


def account_from_args(args: argparse.Namespace) -> Account:
    if args.generate:
        shape = Shape(args.regions, args.groups_per_region, args.shares_per_group, args.gateways_per_region,
                      args.candidates_per_group, args.seed)
        return Account.from_document(generate_account(shape))
    return Account.load(args.data or SAMPLE_ACCOUNT)


def build_server(args: argparse.Namespace, account: Account) -> SimulatorServer:
    if not args.access_key:
        raise ValueError("at least one --access-key ID:SECRET[:TOKEN] is needed to serve")
    ssl_context = None
    if args.tls:
        from tests.simulator import tls  # pylint: disable=import-outside-toplevel  # cryptography only for --tls
        ssl_context = tls.server_context(args.cert_out)

    def service_of(served):
        return Service(served, args.task_seconds, args.full_sync_seconds, seed=args.seed,
                       strict_membership=args.strict_membership)
    members = [service_of(Account.load(path)) for path in args.member_account]
    simulator = Simulator(service_of(account), Verifier(args.access_key), faults_from_args(args), seed=args.seed,
                          sts_duration=args.sts_duration, members=members)
    return SimulatorServer((args.host, args.port), simulator, ssl_context, args.verbose)


def serve(server: SimulatorServer) -> None:
    """Serve until SIGINT or SIGTERM, then stop cleanly."""
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), name="sgw-simulator", daemon=True).start()
    print(f"SGW simulator listening on {server.url}", flush=True)
    stop.wait()
    server.stop()


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        account = account_from_args(args)
        if args.write:
            dump_document(account.to_document(), args.write)
            return 0
        server = build_server(args, account)
    except (AccountError, ValueError, OSError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    serve(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
