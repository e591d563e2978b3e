"""The student edition removes every solution, and every exercise of the book has one."""
import json

import pytest

from deepinfo.classroom import (MARKER, UnsafeOutput, chapter_sources, exercise_info, exercises, instructor_page,
                                main, missing_solutions, solutions, strip_solutions, write_student_edition)
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


def test_student_edition_refuses_a_folder_it_did_not_write(tmp_path):
    theirs = tmp_path / "thesis"
    theirs.mkdir()
    (theirs / "thesis.tex").write_text("years of work")
    with pytest.raises(UnsafeOutput, match="not empty"):
        write_student_edition(theirs)
    assert main(["--out", str(theirs)]) == 2
    assert (theirs / "thesis.tex").read_text() == "years of work" and sorted(p.name for p in theirs.iterdir()) == [
        "thesis.tex"]


def test_student_edition_never_touches_the_project(tmp_path):
    from deepinfo import paths

    root = paths.project_root()
    for out in (root, root.parent, root / "book"):
        with pytest.raises(UnsafeOutput):
            write_student_edition(out)
    assert (root / ".git").exists() and (root / "book" / "intro.md").is_file()


def test_student_edition_replaces_only_its_own_earlier_edition(tmp_path):
    out = tmp_path / "student"
    write_student_edition(out)
    assert (out / MARKER).is_file()
    (out / "book" / "stale.md").write_text("from an older edition")
    write_student_edition(out)  # an edition it wrote: replaced whole
    assert not (out / "book" / "stale.md").exists() and (out / MARKER).is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".student.")]  # no temporary folders left
    empty = tmp_path / "empty"
    empty.mkdir()
    write_student_edition(empty)  # an empty folder is fine
    assert (empty / "_toc.yml").is_file()


def test_exercise_info_reads_title_time_and_preset():
    text = "```{exercise} Count states\n:label: ex-a\nAbout 15 minutes at the smoke preset.\n```\n"
    assert exercise_info(text) == [{"label": "ex-a", "title": "Count states", "minutes": 15, "preset": "smoke",
                                    "code": False}]
    assert exercise_info(TEXT)[0]["minutes"] is None


def test_generated_pages_read_build_products(build_dir):
    (build_dir / "timings.json").write_text(json.dumps({"cheap_learning": {"quick": {"seconds": 120.0, "cpus": 2}}}))
    page = instructor_page()
    assert "2.0 min (2 CPUs)" in page and "not measured" in page
    assert "| exercise | chapter | time | preset |" in page and "ex-" not in page.split("## Exercises")[1]
    bench = build_dir / "benchmarks"
    bench.mkdir(exist_ok=True)
    (bench / "estimators.json").write_text(json.dumps({"machine": {"cpus": 2}, "cases": [
        {"case": "a", "ours": 0.1, "unit": "s", "baseline": "Counter", "baseline_value": 1.25, "ratio": 12.5,
         "target": ">= 10x the baseline", "met": True}]}))
    page = performance_page()
    assert "## estimators" in page and "| a | 0.1 s | 1.25 s<br><small>Counter</small> | 12.5x |" in page
    assert ">met<" in page


CODE_EXERCISE = '''# T

```{exercise} Entropy of a fair coin
:label: ex-coin
About 5 minutes at any preset.
```

```{code-cell} ipython3
:tags: [exercise-stub]
def coin_entropy():
    """H of a fair coin, in bits."""
    ...  # your code here
    raise NotImplementedError("exercise ex-coin")
```

```{solution-start} ex-coin
:class: dropdown
```

```{code-cell} ipython3
:tags: [solution]
def coin_entropy():
    return 1.0
```

```{solution-end}
```

```{code-cell} ipython3
:tags: [exercise-check]
assert coin_entropy() == 1.0
```
'''


def test_a_complete_code_exercise_has_no_problems_and_loses_only_its_solution():
    from deepinfo.classroom import code_exercise_problems, code_exercises

    (e,) = code_exercises(CODE_EXERCISE)
    assert e["stub"] == ["coin_entropy"] == e["solution"] and e["check"] and e["stub_raises"]
    assert code_exercise_problems(CODE_EXERCISE) == []
    student = strip_solutions(CODE_EXERCISE)
    assert "return 1.0" not in student and "raise NotImplementedError" in student and "exercise-check" in student


@pytest.mark.parametrize("breakage,problem", [
    (lambda t: t.replace("def coin_entropy():\n    return 1.0", "x = 1"), "does not define ['coin_entropy']"),
    (lambda t: t.replace("    raise NotImplementedError(\"exercise ex-coin\")\n", ""), "does not `raise NotImpl"),
    (lambda t: t.replace(":tags: [exercise-check]", ":tags: [other]"), "no code cell tagged 'exercise-check'"),
    (lambda t: t.replace("assert coin_entropy() == 1.0", "assert coin_entropy() == ip._ens"), "private names"),
])
def test_an_incomplete_code_exercise_is_named(breakage, problem):
    from deepinfo.classroom import code_exercise_problems

    assert any(problem in p for p in code_exercise_problems(breakage(CODE_EXERCISE)))


def test_every_chapter_has_a_complete_code_exercise():
    from deepinfo.chapters import chapter_paths
    from deepinfo.classroom import code_exercise_problems, code_exercises

    for name, path in chapter_paths().items():
        text = path.read_text()
        assert code_exercises(text), f"{name}: no code exercise (stub, solution, check)"
        assert code_exercise_problems(text) == [], f"{name}: {code_exercise_problems(text)}"
