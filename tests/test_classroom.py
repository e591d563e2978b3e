"""The student edition removes every solution, and every exercise of the book has one."""
import json

import pytest

from deepinfo.classroom import (chapter_sources, exercises, instructor_page, missing_solutions, solutions,
                                strip_solutions, write_student_edition)
from deepinfo.report import performance_page

TEXT = """# T

```{exercise} One
:label: ex-one
Do it.
```

```{solution} ex-one
:class: dropdown
Done.
```

````{exercise} Two
:label: ex-two
```python
x = 1
```
````

```{solution-start} ex-two
:class: dropdown
```

```{code-cell} ipython3
print("secret")
```

```{solution-end}
```

After.
"""


def test_parse_and_strip():
    assert exercises(TEXT) == ["ex-one", "ex-two"]
    assert sorted(solutions(TEXT)) == ["ex-one", "ex-two"]
    student = strip_solutions(TEXT)
    assert "Done." not in student and "secret" not in student and "solution" not in student
    assert "Do it." in student and "x = 1" in student and "After." in student
    assert exercises(student) == ["ex-one", "ex-two"]


def test_missing_solution_is_found():
    text = TEXT.replace("```{solution} ex-one", "```{note}")
    assert missing_solutions(text) == ["ex-one"]
    with pytest.raises(ValueError, match="no :label:"):
        exercises("```{exercise} Untitled\nno label\n```\n")


def test_every_exercise_in_the_book_has_a_solution():
    for name, path in chapter_sources().items():
        assert missing_solutions(path.read_text()) == [], f"{name}: exercises without a solution"


def test_student_edition_has_no_solutions(tmp_path):
    written = write_student_edition(tmp_path / "student")
    assert written
    for p in written:
        assert solutions(p.read_text()) == [], p
    assert (tmp_path / "student" / "_toc.yml").is_file()


def test_generated_pages_read_build_products(build_dir):
    (build_dir / "timings.json").write_text(json.dumps({"cheap_learning": {"quick": {"seconds": 120.0, "cpus": 2}}}))
    page = instructor_page()
    assert "2.0 min (2 CPUs)" in page and "not measured" in page
    bench = build_dir / "benchmarks"
    bench.mkdir()
    (bench / "estimators.json").write_text(json.dumps({"machine": "x", "cases": [{"case": "a", "ratio": 12.5}]}))
    page = performance_page()
    assert "## estimators" in page and "12.5" in page and "Target:" in page
