"""The type check's baseline (tools/mypy_baseline.py): a module's mypy errors may fall, never rise."""

from tools.mypy_baseline import compare, count

BASELINE = {"tips/admin/forms.py": 5, "clarifications/models.py": 6}


def test_a_module_with_more_errors_than_its_baseline_fails():
    grown, _shrunk = compare({"tips/admin/forms.py": 6, "clarifications/models.py": 6}, BASELINE)
    assert grown == {"tips/admin/forms.py": (5, 6)}


def test_a_module_outside_the_baseline_may_have_no_error():
    grown, _shrunk = compare({**BASELINE, "home/views.py": 1}, BASELINE)
    assert grown == {"home/views.py": (0, 1)}


def test_fewer_errors_pass_and_are_reported_so_that_the_baseline_is_lowered():
    grown, shrunk = compare({"tips/admin/forms.py": 2}, BASELINE)
    assert grown == {}
    assert shrunk == {"tips/admin/forms.py": (5, 2), "clarifications/models.py": (6, 0)}


def test_errors_are_counted_per_module():
    lines = [
        'core/sql.py:61: error: Item "None" of "timedelta | None" has no attribute "total_seconds"  [union-attr]',
        "core/sql.py:70: error: Missing return statement  [return]",
        "ops/metrics.py:102:9: error: Need type annotation  [var-annotated]",
    ]
    assert count(lines) == {"core/sql.py": 2, "ops/metrics.py": 1}
