"""Reading scenario and variant files: YAML → located data → validated, frozen :class:`Scenario`.

This is the only module of ``sim`` that reads files. Every problem in a file is reported at
once, as ``FILE:LINE:COL: path.to.field: message``, through :class:`ScenarioError`.

Every file — a scenario, a variant, the base a variant ``extends``, a scenario given as text —
is read once, by the one located parser of :mod:`sim.located`, within :class:`LoadLimits`.
``extends`` is confined: it names a regular file inside the allowed root folders (or a text that
the caller supplies through ``open_base``), never a device, a FIFO, ``/proc`` or a symlink out of
the roots; nothing is opened before ``stat`` says it is a regular file of an acceptable size.
"""

from __future__ import annotations

import gc
import os
import stat
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Field, ValidationError

from .errors import Problem, ScenarioError
from .located import ENV_CAPS, LList, LMap, ParseLimits, Pos, cap_hint, dotted, locate, parse_yaml
from .model import Scenario, Strict
from .references import _suggest, check
from .timeparse import bare_time_message
from .variants import apply

_UNIONS = (Union, types.UnionType)

OpenBase = Callable[[str], "tuple[str, str] | None"]  # may raise LookupError(message) for a name it knows is absent
MAX_PROBLEMS = 1_000  # problems listed for one file; a count of the rest follows them
HINTS = 100  # unknown fields that get a 'did you mean' hint (each costs a fuzzy match)


@dataclass(frozen=True, slots=True)
class LoadLimits:
    """Caps on what loading one scenario may read and build; every cap, when hit, is a located error.

    The defaults are generous for real scenarios (the documented one is 72 KB and 3,832 values, 8
    levels deep, no aliases) and keep a failing load of any file within them to about a second of
    CPU and 250 MB. Larger files (``backchannel synth`` makes them: 10,000 messages are 283k values,
    100k messages 20 MB) need raised caps: :meth:`from_env` reads them from the environment.
    """

    max_bytes: int = 4_000_000  # size of each file (or text), checked before it is parsed
    max_nodes: int = 100_000  # mappings, lists, scalars and alias uses in each file, counted as it is parsed
    max_depth: int = 64  # nesting of mappings and lists
    max_aliases: int = 1_000  # uses of YAML aliases (``*name``)
    max_alias_size: int = 1_000_000  # entries plus characters of text that aliases may add
    max_chain: int = 32  # files one variant may extend through
    max_path: int = 1_024  # characters of an ``extends`` path (255 per path component)

    def parse(self) -> ParseLimits:
        return ParseLimits(self.max_nodes, self.max_depth, self.max_aliases, self.max_alias_size)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LoadLimits:
        """The default caps, with ``BACKCHANNEL_MAX_BYTES`` and ``BACKCHANNEL_MAX_NODES`` from ``env``
        (default ``os.environ``) where set: what loading uses when no ``limits`` are given."""
        env = os.environ if env is None else env
        given = {}
        for field_name, var in ENV_CAPS.items():
            raw = env.get(var, "").strip()
            if raw:
                value = raw.replace("_", "").replace(",", "")
                if not value.isdigit() or int(value) < 1:
                    raise ScenarioError([Problem("<environment>", 0, 0, "", f"the environment variable {var} must be a "
                                                                f"positive whole number, not {raw[:40]!r}")])
                given[field_name] = int(value)
        return cls(**given) if given else cls()




class VariantFile(Strict):
    """A file that changes another: ``extends`` names the base, relative to this file."""

    extends: str = Field(min_length=1)
    title: str = ""
    description: str = ""
    remove: list[str] = []
    set: dict[str, Any] = {}
    add: dict[str, list[dict[str, Any]]] = {}


# -- mapping pydantic errors to positions ---------------------------------------------------------
def _unwrap(tp: Any) -> Any:
    """The type under ``Annotated`` wrappers and ``Optional`` (neither adds a step to a ``loc``)."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
        elif get_origin(tp) in _UNIONS and type(None) in get_args(tp) and len(get_args(tp)) == 2:
            tp = next(a for a in get_args(tp) if a is not type(None))
        else:
            return tp


def _tags(tp: Any) -> dict[str, Any]:
    """For a tagged union, each member by its tag; else empty."""
    if get_origin(tp) not in _UNIONS:
        return {}
    out = {}
    for member in get_args(tp):
        if get_origin(member) is Annotated:
            for meta in get_args(member)[1:]:
                tag = getattr(meta, "tag", None)
                if isinstance(tag, str):
                    out[tag] = member
    return out


def _field(model: type[BaseModel], name: Any) -> Any:
    for key, f in model.model_fields.items():
        if name in (key, f.alias):
            return f
    return None


def _field_type(f: Any) -> Any:
    return Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation


def walk_loc(model: type[BaseModel], loc: tuple[Any, ...],
             _memo: dict[tuple[int, Any], tuple[Any, bool, Any]] | None = None) -> tuple[Any, ...]:
    """Follow a pydantic error's ``loc`` over the models and return its real keys and indices: the
    steps that name a union's member or a validator are pydantic's, not the file's, and are dropped."""
    memo = {} if _memo is None else _memo
    tp: Any = model
    out: list[Any] = []
    for step in loc:
        key = (id(tp), step if isinstance(step, str) else int)
        if key not in memo:
            memo[key] = (*_step(tp, step), tp)  # the type is kept alive with its id
        tp, keep = memo[key][0], memo[key][1]
        if keep:
            out.append(step)
    return tuple(out)


def _step(tp: Any, step: Any) -> tuple[Any, bool]:
    """One step of :func:`walk_loc`: the type after ``step``, and whether the step is the file's."""
    tp = _unwrap(tp)
    members = _tags(tp)
    if members:  # a tagged union: the step naming the member is pydantic's, not the file's
        return (_unwrap(members[step]) if step in members else None), False
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        f = _field(tp, step)
        return (_field_type(f) if f is not None else None), True
    origin, args = get_origin(tp), get_args(tp)
    if origin is list and isinstance(step, int):
        return (args[0] if args else None), True
    if origin is tuple and isinstance(step, int):
        fixed = step < len(args) and args[-1] is not Ellipsis
        return (args[step] if fixed else (args[0] if args else None)), True
    if origin is dict:
        return (args[1] if len(args) == 2 else None), True
    if origin in _UNIONS and isinstance(step, str):
        return None, False  # a plain union's member name
    if isinstance(step, str) and ("[" in step or step in ("int", "float", "str", "bool")):
        return tp, False  # a validator's step
    return None, True


def _message(err: dict[str, Any]) -> str:
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    kind = err.get("type")
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see `backchannel schema`)"
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        return msg.replace("Input should be", "must be")
    if kind in ("model_type", "dict_type"):  # pydantic says "a valid dictionary or instance of Event"
        return "expected a mapping of fields here (key: value), not a single value or a list"
    return msg


def _problem(root: Any, loc: tuple[Any, ...], message: str, top_file: str) -> Problem:
    file, line, col = locate(root, loc)
    if file and file != top_file:
        message += f" (as changed by {top_file})"
    return Problem(file or top_file, line, col, dotted(loc, root), message)


def _not_a_mapping(data: Any, file: str) -> ScenarioError:
    got = type(data).__name__ if data is not None else "nothing"
    got = {"LList": "a list", "str": "text", "int": "a number", "float": "a number", "bool": "true or false",
           "NoneType": "nothing"}.get(got, got)
    return ScenarioError([Problem(file, 1, 1, "", f"expected a mapping of sections at the top of the file, got {got}")])


def validate_data(data: Any, file: str, model: type[Strict] = Scenario) -> Any:
    """Validate located data against ``model`` and, for scenarios, its cross-references."""
    if not isinstance(data, LMap):
        raise _not_a_mapping(data, file)
    try:
        with collector_paused():
            obj = model.model_validate(data)
    except ValidationError as e:
        problems, seen, memo = [], set(), {}
        errors = e.errors(include_url=False, include_input=False)
        for err in errors:
            loc = walk_loc(model, tuple(err["loc"]), memo)
            msg = _message(err)
            if err.get("type") == "bare_time":
                meta = data.get("meta")
                hint = meta.get("timezone") if isinstance(meta, dict) else None
                msg = bare_time_message(err["ctx"]["text"], hint if isinstance(hint, str) else None)
            if err.get("type") == "extra_forbidden" and loc:
                hint = ""
                if len(problems) < HINTS:
                    fields = _fields_at(model, walk_loc(model, tuple(err["loc"])[:-1], memo))
                    hint = _suggest(str(loc[-1]), fields)
                msg = f"unknown field {loc[-1]!r}{hint}"
            if (loc, msg) not in seen:
                seen.add((loc, msg))
                problems.append(_problem(data, loc, msg, file))
                if len(problems) == MAX_PROBLEMS:
                    break
        raise ScenarioError(_capped(problems, len(errors), file)) from None
    if isinstance(obj, Scenario):
        issues = check(obj)
        if issues:
            raise ScenarioError(_capped([_problem(data, loc, msg, file) for loc, msg in issues[:MAX_PROBLEMS]],
                                        len(issues), file))
    return obj


def _capped(problems: list[Problem], found: int, file: str) -> list[Problem]:
    if found <= len(problems):
        return problems
    return [*problems, Problem(file, 0, 0, "", f"and {found - len(problems):,} more problems not shown "
                                                f"(the first {len(problems):,} are listed)")]


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names the model at ``loc`` accepts, for 'did you mean' hints on unknown fields."""
    tp: Any = model
    for step in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            f = _field(tp, step)
            tp = _field_type(f) if f is not None else None
        elif get_origin(tp) in (list, tuple, dict):
            args = get_args(tp)
            tp = args[-1] if get_origin(tp) is dict else (args[step] if get_origin(tp) is tuple and
                                                           isinstance(step, int) and step < len(args) else args[0])
        else:
            return []
    tp = _unwrap(tp)
    members = _tags(tp)
    candidates = [_unwrap(m) for m in members.values()] if members else [tp]
    names: list[str] = []
    for c in candidates:
        if isinstance(c, type) and issubclass(c, BaseModel):
            names += [f.alias or k for k, f in c.model_fields.items()]
    return names


# -- reading files, confined -----------------------------------------------------------------------
_SYSTEM = tuple(Path(p) for p in ("/proc", "/sys", "/dev"))


def _problem_at(pos: Pos | None, file: str, message: str, path: str = "") -> ScenarioError:
    if pos is None:
        return ScenarioError([Problem(file, 0, 0, path, message)])
    return ScenarioError([Problem(pos[0] or file, pos[1], pos[2], path, message)])


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _check_name(ref: str, limits: LoadLimits) -> str | None:
    """What is wrong with a path as written, before the file system is asked; None if nothing."""
    if "\x00" in ref:
        return "the path contains a NUL byte"
    if len(ref) > limits.max_path or any(len(part) > 255 for part in ref.split("/")):
        return f"the path is too long (at most {limits.max_path} characters, 255 per folder or file name)"
    return None


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        head = raw[: e.start].decode("utf-8", "ignore")
        line = head.count("\n") + 1
        col = len(head) - (head.rfind("\n") + 1) + 1
        message = f"the file is not UTF-8 text (byte 0x{raw[e.start]:02x} cannot start a character here); save it as UTF-8"
        raise ScenarioError([Problem(name, line, col, "", message)]) from None


def _read(path: Path, limits: LoadLimits, name: str | None = None, at: Pos | None = None,
          via: str = "") -> str:
    """The text of the regular file ``path``: checked with ``stat`` before it is opened (never a device,
    FIFO, socket or folder; at most ``limits.max_bytes``), opened without blocking, decoded as UTF-8.

    Problems are reported at ``at`` (the ``extends`` that names the file) when given, else in the file.
    """
    name = name or str(path)
    who = f"{via}{_short(name)!r}: " if at is not None else ""
    where = name if at is None else (at[0] or name)
    if (bad := _check_name(str(path), limits)) is not None:
        raise _problem_at(at, where, f"{who}{bad}")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise _problem_at(at, where, f"{who}file not found" if at is None else f"{who}not found") from None
    except OSError as e:
        raise _problem_at(at, where, f"{who}cannot read file: {e.strerror or type(e).__name__}") from None
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "a device, FIFO or socket"
        raise _problem_at(at, where, f"{who}is {what}, not a regular file; scenario files are regular files")
    if st.st_size > limits.max_bytes:
        raise _problem_at(at, where, f"{who}the file is {st.st_size:,} bytes, more than the cap of "
                                     f"{limits.max_bytes:,} bytes; to raise it, {cap_hint('max_bytes')}")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise _problem_at(at, where, f"{who}cannot read file: {e.strerror or type(e).__name__}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced between stat and open
            raise _problem_at(at, where, f"{who}is not a regular file; scenario files are regular files")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(limits.max_bytes + 1)
    except OSError as e:
        raise _problem_at(at, where, f"{who}cannot read file: {e.strerror or type(e).__name__}") from None
    finally:
        os.close(fd)
    if len(raw) > limits.max_bytes:
        raise _problem_at(at, where, f"{who}the file is more than the cap of {limits.max_bytes:,} bytes; "
                                     f"to raise it, {cap_hint('max_bytes')}")
    return _decode(raw, name)


def read_file(path: str | Path, limits: LoadLimits | None = None) -> str:
    """The text of the scenario file ``path``, read as every file is (regular files only, checked before
    they are opened, within ``limits``); :class:`ScenarioError` says what is wrong."""
    return _read(Path(path), limits or LoadLimits.from_env())


def _check_text(text: str, file: str, limits: LoadLimits) -> None:
    if not isinstance(text, str):
        raise ScenarioError([Problem(file, 0, 0, "", f"expected scenario text, got {type(text).__name__}")])
    if len(text) > limits.max_bytes:
        raise ScenarioError([Problem(file, 0, 0, "", f"the text is more than the cap of {limits.max_bytes:,} "
                                                     f"bytes; to raise it, {cap_hint('max_bytes')}")])
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as e:
        head = text[: e.start]
        raise ScenarioError([Problem(file, head.count("\n") + 1, len(head) - (head.rfind("\n") + 1) + 1, "",
                                     "the text holds a character that is not valid Unicode")]) from None
    if size > limits.max_bytes:
        raise ScenarioError([Problem(file, 0, 0, "", f"the text is {size:,} bytes, more than the cap of "
                                                     f"{limits.max_bytes:,} bytes; to raise it, "
                                                     f"{cap_hint('max_bytes')}")])


def _roots(root: str | Path | None, top: Path | None) -> tuple[Path, ...]:
    """The folders ``extends`` may read from: ``root`` if given, else the top file's folder and the
    working directory (the files a user names on the command line live there)."""
    if root is not None:
        return (Path(os.path.realpath(root)),)
    out = [Path(os.path.realpath(top.parent))] if top is not None else []
    out.append(Path(os.path.realpath(os.getcwd())))
    return tuple(dict.fromkeys(out))


def _confine(ref: str, base_dir: Path, roots: tuple[Path, ...], pos: Pos, name: str,
             limits: LoadLimits) -> tuple[Path, Path]:
    """The file ``extends: ref`` names (as written, and resolved), if it lies inside ``roots``."""
    if (bad := _check_name(ref, limits)) is not None:
        raise _problem_at(pos, name, f"cannot use 'extends': {bad}", "extends")
    written = base_dir / ref
    real = Path(os.path.realpath(written))
    if any(real == s or real.is_relative_to(s) for s in _SYSTEM):
        raise _problem_at(pos, name, f"'extends' names {_short(ref)!r}, a system path; scenario files "
                                     "are regular files", "extends")
    if not any(real.is_relative_to(r) for r in roots):
        allowed = " or ".join(str(r) for r in roots)
        raise _problem_at(pos, name, f"'extends' names {_short(ref)!r}, which lies outside the folders it may "
                                     f"read from ({allowed})", "extends")
    return written, real


# -- loading ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Context:
    roots: tuple[Path, ...]
    limits: LoadLimits
    open_base: OpenBase | None


def _variant_data(text: str, name: str, base_dir: Path | None, ctx: _Context,
                  stack: tuple[str, ...]) -> Any:
    """Located data of ``text`` (file ``name``), with its ``extends`` chain resolved and applied."""
    data = parse_yaml(text, name, ctx.limits.parse())
    if not isinstance(data, LMap) or "extends" not in data:
        return data
    variant = validate_data(data, name, VariantFile)
    ref = variant.extends
    pos = locate(data, ("extends",))
    if len(stack) >= ctx.limits.max_chain:
        raise _problem_at(pos, name, f"'extends' goes through more than {ctx.limits.max_chain} files "
                                     "(LoadLimits.max_chain)", "extends")
    try:
        supplied = ctx.open_base(ref) if ctx.open_base is not None else None
    except LookupError as e:  # the caller knows the name and says it names nothing
        raise _problem_at(pos, name, str(e.args[0] if e.args else e), "extends") from None
    if supplied is not None:
        base_text, base_name = supplied
        key, next_dir = f"<{base_name}>", base_dir
        _check_text(base_text, base_name, ctx.limits)
    else:
        if base_dir is None:
            raise _problem_at(pos, name, "a scenario given as text can extend a file only when a root folder "
                                         "is given", "extends")
        written, real = _confine(ref, base_dir, ctx.roots, pos, name, ctx.limits)
        key, base_name, next_dir = str(real), str(written), real.parent
    if key in stack:
        chain = " -> ".join((*stack, key))
        raise _problem_at(pos, name, f"'extends' forms a cycle: {chain}", "extends")
    if supplied is None:
        base_text = _read(real, ctx.limits, base_name, at=pos, via="base scenario ")
    base = _variant_data(base_text, base_name, next_dir, ctx, (*stack, key))
    if not isinstance(base, LMap):
        raise _not_a_mapping(base, base_name)
    base = base.copy()
    base.pop("alternatives", None)
    merged, errors = apply(base, data, "")
    if errors:
        raise ScenarioError(_change_problems(errors, name))
    if variant.title or variant.description:
        meta = merged.get("meta")
        if isinstance(meta, LMap):
            meta = meta.copy()
            if variant.title:
                meta["title"] = f"{meta.get('title', '')} — {variant.title}".strip(" —")
                meta.where["title"] = locate(data, ("title",))
            if variant.description:
                meta["description"] = variant.description
                meta.where["description"] = locate(data, ("description",))
            merged["meta"] = meta
    return merged


def _change_problems(errors: list[Any], file: str) -> list[Problem]:
    return [Problem(e.pos[0] or file, e.pos[1], e.pos[2], e.path, e.message) for e in errors]


def _context(root: str | Path | None, top: Path | None, limits: LoadLimits | None,
             open_base: OpenBase | None) -> _Context:
    return _Context(_roots(root, top), limits or LoadLimits.from_env(), open_base)


def load_data(path: str | Path, *, root: str | Path | None = None, limits: LoadLimits | None = None,
              open_base: OpenBase | None = None) -> LMap:
    """Read a scenario or variant file into located data, resolving ``extends`` chains."""
    path = Path(path)
    ctx = _context(root, path, limits, open_base)
    real = os.path.realpath(path) if _check_name(str(path), ctx.limits) is None else str(path)
    text = _read(path, ctx.limits)
    return _variant_data(text, str(path), path.parent, ctx, (real,))


def extends_written(text: str, name: str = "<text>") -> str | None:
    """What ``extends:`` names in scenario ``text`` (called ``name``), as written; None for a scenario
    without one, and for text that cannot be read (loading it says why)."""
    if "extends" not in text:  # no need to parse a scenario for it
        return None
    try:
        limits = LoadLimits.from_env()
        data = parse_yaml(text, name, limits.parse())
    except ScenarioError:
        return None
    target = data.get("extends") if isinstance(data, dict) else None
    if not isinstance(target, str) or not target or _check_name(target, limits) is not None:
        return None
    return target


def extends_target(path: str | Path) -> Path | None:
    """The file that the variant file ``path`` extends, as written relative to it; None for a scenario
    file, and for a file that cannot be read (loading it says why)."""
    path = Path(path)
    try:
        text = _read(path, LoadLimits.from_env())
    except ScenarioError:
        return None
    target = extends_written(text, str(path))
    return path.parent / target if target is not None else None


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects that all stay alive.

    Parsing and validating a large file creates millions of objects and no garbage cycles;
    each automatic collection would rescan everything built so far (more than halves load time).
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def load_scenario(path: str | Path, alternative: str | None = None, *, root: str | Path | None = None,
                  limits: LoadLimits | None = None, open_base: OpenBase | None = None) -> Scenario:
    """Load, validate and (optionally) apply the named alternative of a scenario or variant file.

    ``root``: the folder that ``extends`` may read from (default: the file's folder and the working
    directory); ``limits``: the caps (default :class:`LoadLimits`); ``open_base(ref)``: the text of a
    base named by ``extends: ref`` as ``(text, display name)``, or None to read it as a path.
    """
    name = str(path)
    with collector_paused():
        data = load_data(path, root=root, limits=limits, open_base=open_base)
    scenario = validate_data(data, name)
    return scenario if alternative is None else _with_alternative(data, scenario, alternative, name)


def load_text(text: str, file: str = "<text>", alternative: str | None = None, *,
              root: str | Path | None = None, limits: LoadLimits | None = None,
              open_base: OpenBase | None = None) -> Scenario:
    """Validate scenario YAML given as text, named ``file`` in problems.

    ``extends`` in the text is resolved through ``open_base`` or, as a path, inside ``root`` (without a
    root, a text cannot extend a file).
    """
    limits = limits or LoadLimits.from_env()
    _check_text(text, file, limits)
    ctx = _Context(_roots(root, None) if root is not None else (), limits, open_base)
    base_dir = Path(os.path.realpath(root)) if root is not None else None
    with collector_paused():
        data = _variant_data(text, file, base_dir, ctx, (f"<{file}>",))
    scenario = validate_data(data, file)
    return scenario if alternative is None else _with_alternative(data, scenario, alternative, file)


def _with_alternative(data: LMap, scenario: Scenario, alternative: str, file: str) -> Scenario:
    ids = [a.id for a in scenario.alternatives]
    if alternative not in ids:
        raise ScenarioError([Problem(file, 0, 0, "alternatives",
                                     f"no alternative {alternative!r}{_suggest(alternative, ids)}; "
                                     f"this file has: {', '.join(ids) or 'none'}")])
    k = ids.index(alternative)
    change = data["alternatives"][k]
    base = data.copy()
    base.pop("alternatives")
    merged, errors = apply(base, change, f"alternatives[{alternative}]")
    if errors:
        raise ScenarioError(_change_problems(errors, file))
    meta = merged["meta"].copy()
    meta["title"] = f"{meta['title']} — {scenario.alternatives[k].title}"
    merged["meta"] = meta
    return validate_data(merged, file)


def validate_files(paths: list[str | Path], alternative: str | None = None, *, root: str | Path | None = None,
                   limits: LoadLimits | None = None) -> dict[str, list[Problem]]:
    """Validate each file (and each of its named alternatives, or only ``alternative``); map file name
    to its problems."""
    out: dict[str, list[Problem]] = {}
    for p in paths:
        problems: list[Problem] = []
        try:
            with collector_paused():
                data = load_data(p, root=root, limits=limits)
            s = validate_data(data, str(p))
            for alt in [a.id for a in s.alternatives] if alternative is None else [alternative]:
                try:
                    _with_alternative(data, s, alt, str(p))
                except ScenarioError as e:
                    problems.extend(e.problems)
        except ScenarioError as e:
            problems.extend(e.problems)
        out[str(p)] = problems
    return out


__all__ = ["LList", "LMap", "LoadLimits", "VariantFile", "extends_target", "extends_written", "load_data",
           "load_scenario", "load_text", "read_file", "validate_data", "validate_files", "walk_loc"]
