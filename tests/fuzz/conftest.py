"""Fuzzing the importers (issue 13 item 10): hypothesis profiles and the inputs-tried summary.

Profiles: ``ci`` (the default; bounded, derandomized, so `make test` stays fast and never
flaky) and ``long`` (random, with ``FUZZ_EXAMPLES`` examples per test, e.g.
``FUZZ_EXAMPLES=2000 pytest tests/fuzz``). ``HYPOTHESIS_PROFILE`` picks one explicitly.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from tests.fuzz.mutations import TRIED

_COMMON = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
}
settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("FUZZ_CI_EXAMPLES", "30")),
    derandomize=True,
    database=None,
    print_blob=True,
    **_COMMON,
)
settings.register_profile(
    "long",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")),
    print_blob=True,
    **_COMMON,
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("long" if os.environ.get("FUZZ_EXAMPLES") else "ci")
)


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001
    """The number of inputs tried per importer, whatever -s / -q say."""
    if not TRIED:
        return
    terminalreporter.section("fuzz: inputs tried per importer")
    for name, count in sorted(TRIED.items()):
        terminalreporter.write_line(f"{name:<28} {count:>6}")
    terminalreporter.write_line(f"{'total':<28} {sum(TRIED.values()):>6}")
