# -*- coding: utf-8 -*-
# Copyright: alibabacloud.sgw contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's command line: writing a generated account, and bad starts (one line, exit 2)."""

from __future__ import annotations

import json

import pytest

from tests.simulator.account import Account
from tests.simulator.generate import Shape, generate_account
from tests.support.simlib import run_simulator


@pytest.mark.parametrize("suffix", [".yml", ".json"])
def test_write_round_trips(tmp_path, suffix):
    path = tmp_path / f"account{suffix}"
    result = run_simulator("--generate", "--regions", "1", "--seed", "9", "--write", str(path))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    if suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    written = Account.load(path).to_document()
    assert written == Account.from_document(generate_account(Shape(regions=1, seed=9))).to_document()


@pytest.mark.parametrize("content, message", [
    ("regions: [cn-hangzhou]\ngateways:\n  - {GatewayId: gw-1, StorageBundleId: sb-9}\n", "unknown StorageBundleId"),
    ("regions: [cn-hangzhou\n", "cannot read"),
    (None, "cannot read"),
])
def test_bad_account_file_is_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "account.yml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run_simulator("--data", str(path), "--access-key", "a:b")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_serving_needs_an_access_key():
    result = run_simulator()
    assert result.returncode == 2 and "--access-key" in result.stderr and result.stderr.count("\n") == 1
