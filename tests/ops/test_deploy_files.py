"""The scheduling files in deploy/: systemd units checked by systemd-analyze, the crontab line parsed,
and every command line they run accepted by the real `xxgk` argument parser."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from xxgk.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
UNITS = ("xxgk-update.service", "xxgk-update.timer")
needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze missing (scripts/setup.sh installs the systemd package)",
)


def verify(*paths):
    return subprocess.run(
        ["systemd-analyze", "verify", *map(str, paths)], capture_output=True, text=True, timeout=60
    )


def unit_values(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


@needs_analyze
def test_units_pass_systemd_analyze_verify(tmp_path):
    for name in UNITS:
        shutil.copy(SYSTEMD / name, tmp_path / name)
    proc = verify(*(tmp_path / n for n in UNITS))
    assert proc.returncode == 0, proc.stderr
    ours = [line for line in proc.stderr.splitlines() if "xxgk-update" in line]
    assert ours == []  # no warning either (ignored assignments, unknown keys)


@needs_analyze
def test_verify_does_catch_a_broken_unit(tmp_path):
    # the check above can fail: the same units with a bad calendar and a mistyped key are reported
    for name in UNITS:
        text = (SYSTEMD / name).read_text("utf-8")
        text = text.replace("OnCalendar=*-*-* 03:17:00", "OnCalendar=nightly at three").replace(
            "Type=oneshot", "Type=oneshot\nExecStartt=/bin/true"
        )
        (tmp_path / name).write_text(text, "utf-8")
    proc = verify(*(tmp_path / n for n in UNITS))
    assert proc.returncode != 0
    assert (
        "Unknown key 'ExecStartt'" in proc.stderr
        and "xxgk-update.timer has a bad unit file setting" in proc.stderr
    )


def test_timer_starts_the_service_nightly_and_catches_up():
    timer = unit_values(SYSTEMD / "xxgk-update.timer")
    assert timer["Unit"] == ["xxgk-update.service"]
    assert timer["Persistent"] == ["true"] and timer["WantedBy"] == ["timers.target"]
    service = unit_values(SYSTEMD / "xxgk-update.service")
    assert service["Type"] == ["oneshot"]
    assert service["SuccessExitStatus"] == ["3"]  # another update running is not this run's failure


def expand(command: str, env: dict[str, str]) -> list[str]:
    """systemd's ExecStart expansion: $VAR splits into words, ${VAR} stays one word."""
    words = []
    for word in shlex.split(command):
        m = re.fullmatch(r"\$(\w+)", word)
        if m:
            words.extend(env[m.group(1)].split())
        else:
            words.append(re.sub(r"\$\{(\w+)\}", lambda g: env[g.group(1)], word))
    return words


def xxgk_args(words: list[str]) -> list[str]:
    i = words.index("xxgk")
    assert words[i - 1] == "-m" and words[i - 2].endswith("python3")
    return words[i + 1 :]


def test_service_command_line_is_a_valid_xxgk_update():
    service = unit_values(SYSTEMD / "xxgk-update.service")
    env = {}
    for assignment in service["Environment"]:
        key, _, value = assignment.strip('"').partition("=")
        env[key] = value
    args = build_parser().parse_args(xxgk_args(expand(service["ExecStart"][0], env)))
    assert args.func.__name__ == "run_update"
    assert args.data == "/var/lib/xxgk-archive/data" and args.real and args.province == "zhejiang"
    # the environment file an operator edits holds the same variables
    env_file = dict(
        line.split("=", 1)
        for line in (SYSTEMD / "xxgk-archive.env").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert set(env) <= set(env_file)
    args = build_parser().parse_args(xxgk_args(expand(service["ExecStart"][0], env_file)))
    assert args.func.__name__ == "run_update"


def cron_field_ok(field: str, low: int, high: int) -> bool:
    for part in field.split(","):
        m = re.fullmatch(r"(\*|\d+(?:-\d+)?)(?:/(\d+))?", part)
        if not m:
            return False
        if m.group(1) != "*":
            bounds = [int(x) for x in m.group(1).split("-")]
            if not all(low <= b <= high for b in bounds):
                return False
    return True


def test_crontab_line_is_valid_and_runs_xxgk_update():
    lines = [
        line
        for line in (ROOT / "deploy" / "crontab").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    jobs = [line for line in lines if not re.match(r"^\w+=", line)]
    assert len(jobs) == 1
    fields = jobs[0].split(None, 6)
    ranges = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
    assert all(cron_field_ok(f, lo, hi) for f, (lo, hi) in zip(fields[:5], ranges, strict=True)), fields[:5]
    user, command = fields[5], fields[6]
    assert user == "xxgk"
    first, _, rest = command.partition("&&")
    assert shlex.split(first)[0] == "cd"
    args = build_parser().parse_args(xxgk_args(shlex.split(rest)))
    assert args.func.__name__ == "run_update" and args.data == "/var/lib/xxgk-archive/data"
