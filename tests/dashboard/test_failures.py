"""Problems as the page words them: file names, never the server's folders."""

from __future__ import annotations

from dashboard.failures import failure_text, first_line, without_paths


def test_a_missing_file_is_named_without_its_folders():
    e = FileNotFoundError(2, "No such file or directory", "/srv/app/scenarios/alternatives/x.yaml")
    assert failure_text(e) == "FileNotFoundError: No such file or directory: x.yaml"


def test_paths_in_a_message_become_names():
    assert first_line(ValueError("cannot read '/srv/app/scenarios/b.yaml': not a mapping\nmore")) == \
        "cannot read 'b.yaml': not a mapping"
    assert without_paths("see /home/u/w/scenarios and 1/2 of a/b") == "see scenarios and 1/2 of a/b"


def test_web_addresses_and_other_paths_are_left_as_they_are():
    for text in ("see https://example.org/news/2025/story.html", "https://errors.pydantic.dev/2.9/v/missing",
                 "~/w/x/y.yaml", "alternatives/no_relay.yaml", "1/2 of a/b"):
        assert without_paths(text) == text


def test_a_silent_problem_is_named_by_its_kind():
    assert first_line(RuntimeError()) == "RuntimeError" and failure_text(RuntimeError()) == "RuntimeError"
    assert failure_text(KeyError("x")) == "KeyError: 'x'"
    assert len(first_line(ValueError("x" * 1000))) == 200


def test_the_dashboard_says_the_scenario_folder_by_name():
    """The notice of an empty scenario folder names the folder, not its whole path."""
    from dashboard.resolve import NoScenario, _first_loadable

    notices: list[str] = []
    try:
        _first_loadable([], notices)
    except NoScenario as e:
        assert "/" not in str(e) and "folder" in str(e)
    else:
        raise AssertionError("an empty list loads nothing")
