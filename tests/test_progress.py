"""graphsvc.progress: totals counted up front, log lines with the total, summaries."""

import io

import pytest

from graphsvc.progress import Progress, data_lines


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.csv", "id,name\n1,x\n2,y\n", 2),
        ("a.csv", "id,name\n1,x\n2,y", 2),  # no line break at the end
        ("a.csv", "id,name\n", 0),
        ("a.ndjson", '{"id": 1}\n{"id": 2}\n{"id": 3}', 3),
    ],
)
def test_data_lines_counts_rows_without_the_header(tmp_path, name, text, expected):
    path = tmp_path / name
    path.write_text(text)
    assert data_lines(path) == expected


def test_log_lines_carry_the_total_and_the_summary_the_rows_done():
    stream = io.StringIO()
    progress = Progress(stream, live=False, every=0)
    with progress.task("leads.csv", total=8) as task:
        task.reach(4)
        task.update(0)  # nothing new: no line
        task.reach(8)
    lines = stream.getvalue().splitlines()
    assert [line.split(" rows")[0] for line in lines] == ["leads.csv: 0/8", "leads.csv: 4/8", "leads.csv: 8/8"]
    assert "(50%)" in lines[1] and lines[1].endswith(" left")
    (summary,) = progress.summaries
    assert (summary.name, summary.done, summary.total) == ("leads.csv", 8, 8)
    assert summary.as_dict()["rows"] == 8
    assert summary.line().startswith("leads.csv: 8 rows in ")


def test_a_total_learned_on_the_way_and_no_total():
    stream = io.StringIO()
    progress = Progress(stream, live=False, every=0)
    with progress.task("generate", total=5) as task:
        task.extend(2)
        task.update(7)
    with progress.task("export", total=None) as task:
        task.update(3)
    lines = stream.getvalue().splitlines()
    assert lines[1].startswith("generate: 7/7 rows (100%)")
    assert lines[3].startswith("export: 3 rows, ")
    assert [summary.total for summary in progress.summaries] == [7, None]


def test_lines_wait_the_interval_and_a_terminal_gets_a_bar():
    stream = io.StringIO()
    with Progress(stream, live=False, every=3600).task("slow", total=10) as task:
        task.update(5)
    assert stream.getvalue().splitlines() == ["slow: 0/10 rows (0%), ?rows/s, ? left"]  # only the first

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    progress = Progress(terminal)
    assert progress.live
    with progress.task("bar", total=10) as task:
        task.update(10)
    assert "\rbar:   0%|          | 0/10 [" in terminal.getvalue()  # tqdm's bar, with the total
