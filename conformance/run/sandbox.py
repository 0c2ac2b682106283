"""Where untrusted code runs: implementations' workers and documentation examples.

`--sandbox bwrap` (and `auto` where bubblewrap is installed and usable) starts each one under
`bwrap` with every namespace unshared (no network at all, its own PID namespace whose processes
all die with the run), a private writable /tmp as home and working folder, the run's staging
folder read-only, and a clean environment. Memory limits are set by a
`sh -c 'ulimit ...; exec ...'` inside, before the implementation starts, so they hold for
every process it starts too.

What it sees (view): the sandbox contains the implementation, not the user's environment. The
system directories, the interpreter's installation and import paths (as the interpreter
reports them, so site-packages, the user's, `.pth` entries and editable installs' source
folders all count),
PYTHONPATH and the command's files are shown read-only: the user's package imports wherever
it is installed, and so does the suite's own, reference included. What must stay out of sight
is the suite's data, and only that is hidden, by mounts over single folders (an empty
read-only tmpfs) and files (/dev/null): the case files and expectations of every copy of the
suite in view, a source checkout's git objects, build output and saved runs, the
validated-case cache, and every data file this process read (private_data.py), wherever it is.
The verdict is computed outside, by the runner.

Processes: `prlimit --nproc` caps the processes and threads the implementation may have at
once (RLIMIT_NPROC), so a fork bomb fails its forks instead of filling the machine's process
table. RLIMIT_NPROC counts the processes of a user: unprivileged, bubblewrap's user namespace
makes that count the sandbox's own (Linux 5.14 and later). Root is exempt from it altogether,
so when the suite runs as root the sandbox is made without a user namespace and `setpriv`
switches the implementation to an unprivileged user of its own (a random uid, one per
process started, so each sandbox has its own count; no capabilities and no_new_privs). That
user reads what is bound in as any other user would: the suite's own folders it must read
(the worker bundle, the staging folder) are made world-readable, and its working folder its own.

`--sandbox none` is the behaviour from before sandboxing: the process runs as the caller, sees
what the caller sees; the report header says so.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import wbimage_conformance
from wbimage_conformance import private_data, spec
from wbimage_conformance.errors import ConfigurationError

MODES = ("auto", "bwrap", "none")
#: System directories a dynamically linked Python needs (absent ones are skipped).
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc/ld.so.cache",
                "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime")
#: Caller variables kept inside (the rest of the environment, secrets included, stays out).
KEPT_VARIABLES = ("LANG", "LC_ALL", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE", "PYTHONWARNINGS", "PYTHONUTF8",
                  "PYTHONIOENCODING", "PYTHONFAULTHANDLER", "WANDB_MODE", "WANDB_SILENT")
HOME = "/tmp"
PATH = "/usr/local/bin:/usr/bin:/bin"
#: Inside, the host is `localhost` and resolves from a private hosts file: code that looks up
#: its own host name (wandb does, to name a run) gets an answer without any network.
HOSTS = "127.0.0.1 localhost\n::1 localhost\n"
#: Where the uid of a sandbox started by root is drawn from: far above any real account.
UID_RANGE = (1_000_000_000, 2_000_000_000)
#: The import name of the suite, whose data is hidden in every copy of it in sight.
ROOT_PACKAGE = "wbimage_conformance"
#: In a source checkout of the suite, what holds its data too: git's objects (every case file
#: ever committed), build output (copies of the package) and the saved runs of `history`.
CHECKOUT_DATA = (".git", "build", "dist", "docs/history")


def process_limit() -> int:
    """Processes and threads one sandbox may hold: room for NumPy's and torch's thread pools
    (one thread per core each) and wandb's service, far below any system's process table."""
    return 256 + 8 * len(os.sched_getaffinity(0))


class SandboxError(ConfigurationError):
    """The sandbox asked for cannot be used (exit code 2)."""


@dataclass(frozen=True)
class Sandbox:
    """The sandbox in use: `kind` is "bwrap" or "none"; `description` goes in the report header.
    `prlimit` caps the process count (None: not capped); `setpriv` is set when the suite runs
    as root, to give the implementation an unprivileged user of its own."""

    kind: str
    description: str
    bwrap: str | None = None
    prlimit: str | None = None
    setpriv: str | None = None

    def wrap(self, command: Sequence[str], env: dict[str, str], *, python: str | None = None,
             staging: str | None = None, workdir: str | None = None,
             memory_limit: int | None = None) -> tuple[list[str], dict[str, str]]:
        """The command line and environment that start `command` in this sandbox. `env` holds
        the variables the command needs on top of the caller's (PYTHONPATH, WANDB_MODE...);
        `staging` is shown read-only, `workdir` writable as the working folder (default: the
        private /tmp)."""
        if self.kind == "none":
            return _with_limits(list(command), memory_limit), {**os.environ, **env}
        assert self.bwrap is not None
        uid = UID_RANGE[0] + secrets.randbelow(UID_RANGE[1] - UID_RANGE[0]) if self.setpriv else None
        inner = self._inner(command, uid, workdir)
        merged = _inside_environment(env)
        argv = [self.bwrap, *_namespace_options(uid is not None), "--die-with-parent", "--new-session",
                "--clearenv", "--proc", "/proc", "--dev", "/dev",
                # POSIX semaphores and shared memory (multiprocessing's locks) live in /dev/shm
                *(["--perms", "1777"] if uid is not None else []), "--tmpfs", "/dev/shm",
                *(["--perms", "1777"] if uid is not None else []), "--tmpfs", "/tmp",  # the user is not its owner
                "--chdir", workdir or HOME, "--hostname", "localhost"]
        seen = view(command, python, merged["PYTHONPATH"])
        argv += _mounts(seen, uid is not None, staging, workdir)
        if seen.user_base:  # inside, home is /tmp: name the user's site-packages the interpreter uses
            merged.setdefault("PYTHONUSERBASE", seen.user_base)
        for name, value in sorted(merged.items()):
            if value:
                argv += ["--setenv", name, value]
        return argv + ["--"] + [_absolute_if_path(a) for a in _with_limits(inner, memory_limit)], {}

    def _inner(self, command: Sequence[str], uid: int | None, workdir: str | None) -> list[str]:
        """The command as run inside: by the path of its program (the caller's PATH is not kept
        inside), as `uid` where the suite runs as root, under the process-count cap."""
        inner = [_launched_program(shutil.which(command[0]) or command[0]), *command[1:]]
        if uid is not None:
            assert self.setpriv is not None
            inner = [self.setpriv, *_setpriv_options(uid), "--", *inner]
            if workdir:  # its user's own; root (without capabilities) must still enter it
                os.chown(workdir, uid, uid)
                os.chmod(workdir, 0o711)
        if self.prlimit:
            inner = [self.prlimit, f"--nproc={process_limit()}:{process_limit()}", "--", *inner]
        return inner


def _inside_environment(env: dict[str, str]) -> dict[str, str]:
    """The few variables kept from the caller, then `env`, with PYTHONPATH made absolute and
    home, temporary folder and PATH those of the sandbox."""
    merged = {k: os.environ[k] for k in KEPT_VARIABLES if k in os.environ}
    merged.update(env)
    merged.setdefault("PYTHONPATH", os.environ.get("PYTHONPATH", ""))
    merged["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in merged["PYTHONPATH"].split(os.pathsep) if p)
    merged.update(HOME=HOME, TMPDIR=HOME, PATH=PATH)
    return merged


def _mounts(seen: View, switches_user: bool, staging: str | None, workdir: str | None) -> list[str]:
    """What the sandbox shows: the folders leading to each mount opened (bwrap makes them 0700
    when root), the hosts file, the interpreter's view read-only, the private data hidden by
    empty read-only folders and /dev/null, the staging folder read-only, the work folder."""
    argv: list[str] = []
    if switches_user:
        for folder in _folders_leading_to([*seen.shown, "/etc/hosts", staging or "/", workdir or "/"]):
            argv += ["--perms", "0755", "--dir", folder]
    argv += ["--ro-bind", str(_hosts_file()), "/etc/hosts"]
    for path in seen.shown:
        argv += ["--ro-bind-try", path, path]
    for folder in seen.hidden_folders:
        argv += ["--tmpfs", folder, "--remount-ro", folder]
    for file in seen.hidden_files:
        argv += ["--ro-bind", "/dev/null", file]
    if staging:
        argv += ["--ro-bind", staging, staging]
    if workdir:
        argv += ["--bind", workdir, workdir]
    return argv


def _namespace_options(switches_user: bool) -> list[str]:
    """Every namespace unshared. Where the implementation gets a user of its own (the suite
    runs as root), no user namespace: in one, root's only mapped uid is root, and setpriv needs
    to switch to another; the shell before it keeps just what switching takes."""
    if not switches_user:
        return ["--unshare-all", "--cap-drop", "ALL"]
    return ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]


def _folders_leading_to(paths: Sequence[str]) -> list[str]:
    """The folders above `paths`, outermost first, except the sandbox's own mounts."""
    folders = {str(parent) for path in paths for parent in Path(path).parents}
    return sorted(folders - {"/", HOME, "/proc", "/dev"}, key=lambda f: (f.count("/"), f))


def _setpriv_options(uid: int) -> list[str]:
    """Become `uid` with no supplementary groups, no capabilities and no way to gain any
    (no_new_privs: a setuid program inside does not make it root again)."""
    return [f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs", "--inh-caps=-all",
            "--ambient-caps=-all"]


@functools.lru_cache(maxsize=None)
def _hosts_file() -> Path:
    import atexit
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="wbimage-sandbox-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / "hosts").write_text(HOSTS, encoding="ascii")
    return folder / "hosts"


def _with_limits(command: list[str], memory_limit: int | None) -> list[str]:
    """`command` behind a shell that sets the limits and then becomes it (exec), so the
    limits hold before the implementation's first instruction and for all its children."""
    if not memory_limit:
        return command
    kib = max(1, memory_limit // 1024)
    return ["/bin/sh", "-c", f'ulimit -c 0 && ulimit -v {kib} && exec "$@"', "sh", *command]


def _launched_program(program: str) -> str:
    """`program`, or for a Python launcher script (a pyenv or asdf shim: a script named
    python..., which needs its whole tool to run, out of sight in the sandbox) the interpreter
    it launches, as that interpreter reports itself."""
    if not Path(program).name.startswith("python"):
        return program
    try:
        with open(program, "rb") as handle:
            if handle.read(2) != b"#!":
                return program
    except OSError:
        return program
    return _installation(os.path.abspath(program)).executable or program


def _names_a_file(argument: str) -> bool:
    """Whether a command-line argument names an existing file or folder here: a path with a
    separator, or a bare name of a file in the working folder (`python impl.py`)."""
    return (os.sep in argument or os.path.isfile(argument)) and os.path.exists(argument)


def _absolute_if_path(argument: str) -> str:
    """Inside, the working folder is a private /tmp: a relative path to an existing file
    (`exec:python impl.py`) is made absolute so it still names the file."""
    if not os.path.isabs(argument) and _names_a_file(argument):
        return os.path.abspath(argument)
    return argument


@dataclass(frozen=True)
class View:
    """What a sandboxed process sees of the host besides its private /tmp: `shown` read-only
    (outer folders first; what they hold is not listed again), and in it, `hidden_folders`
    under an empty read-only tmpfs and `hidden_files` under /dev/null (paths as seen inside)."""

    shown: tuple[str, ...]
    hidden_folders: tuple[str, ...]
    hidden_files: tuple[str, ...]
    user_base: str = ""  # PYTHONUSERBASE inside: the user's site-packages the interpreter uses, shown


def view(command: Sequence[str], python: str | None, pythonpath: str) -> View:
    """The environment shown and the suite's data hidden in it. Shown: system directories,
    the interpreter's prefixes and import paths (site-packages, `.pth` entries, the folders of
    editable installs: wherever the user's code and the suite's own package are installed),
    PYTHONPATH entries, the command's own files. Hidden (see `_suite_data` and `_noted_data`):
    case files, expectations, saved runs and the validated-case cache, wherever they are in sight."""
    executable = shutil.which(command[0]) or command[0]
    interpreter = python or (executable if Path(executable).name.startswith("python") else None)
    installation = _installation(os.path.abspath(interpreter)) if interpreter else _Installation((), {})
    paths = [p for p in SYSTEM_PATHS if os.path.lexists(p)] + list(installation.paths)
    paths += [os.path.abspath(p) for p in pythonpath.split(os.pathsep) if p]
    named = [a for a in command if os.sep in a and os.path.exists(a)] + [a for a in command[1:] if _names_a_file(a)]
    paths += [_with_its_folder(os.path.abspath(a)) for a in named]
    paths.append(os.path.realpath(executable))
    data = [*_suite_data(paths, installation.mapped), os.path.realpath(_case_cache_dir())]
    shown = _outermost(p for p in paths if os.path.exists(p) and not _inside_any(os.path.realpath(p), data))
    folders, files = _noted_data(data)
    hidden_folders = _outermost(_as_seen_inside([*data, *folders], shown))
    hidden_files = sorted({f for f in _as_seen_inside(files, shown) if not _inside_any(f, hidden_folders)})
    return View(shown, hidden_folders, tuple(hidden_files), installation.user_base)


def _with_its_folder(path: str) -> str:
    """What to show for a file a command names: the folder holding it, where a script finds
    its own modules and files (`python port/main.py` importing `port/helpers.py`), unless
    that folder is the root or the home folder, of which the file alone is shown, or a folder
    others may not enter (mode 0700): run as root, the implementation is another user, who
    could open the file shown alone but not a folder it cannot search."""
    folder = os.path.dirname(path)
    if os.path.isdir(path) or folder in ("/", os.path.expanduser("~")) or not _others_may_enter(folder):
        return path
    return folder


def _others_may_enter(folder: str) -> bool:
    try:
        return os.stat(folder).st_mode & 0o005 == 0o005
    except OSError:
        return False


def _within(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or lies inside it (both absolute and normalized)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _inside_any(path: str, folders: Iterable[str]) -> bool:
    return any(_within(path, f) for f in folders)


def _noted_data(data: Sequence[str]) -> tuple[list[str], list[str]]:
    """The data files this process read (private_data: `--cases`, `--expectations`, saved
    runs) outside the `data` folders already hidden, as folders to hide whole where a folder
    holds nothing else, and single files."""
    noted = private_data.noted()
    by_folder: dict[str, list[str]] = {}
    for path in noted:
        if not _inside_any(path, data):
            by_folder.setdefault(os.path.dirname(path), []).append(path)
    folders, files = [], []
    for folder, paths in sorted(by_folder.items()):
        if _holds_only(folder, noted):
            folders.append(folder)
        else:
            files += sorted(paths)
    return folders, files


def _holds_only(folder: str, noted: frozenset[str]) -> bool:
    """Whether everything in `folder` is one of the `noted` files (then the folder itself
    can be hidden, names included)."""
    try:
        with os.scandir(folder) as entries:
            return all(entry.is_file() and os.path.realpath(entry.path) in noted for entry in entries)
    except OSError:
        return False


def _as_seen_inside(real_paths: Iterable[str], shown: Sequence[str]) -> list[str]:
    """Where each existing path appears in the sandbox: under every shown path that holds it
    (a shown path may be a symbolic link to the folder it shows)."""
    out = []
    roots = [(s, os.path.realpath(s)) for s in shown]
    for path in real_paths:
        if not os.path.lexists(path):
            continue
        real = os.path.realpath(path)
        out += [os.path.join(s, os.path.relpath(real, root)) if real != root else s
                for s, root in roots if _within(real, root)]
    return out


def _outermost(folders: Iterable[str]) -> tuple[str, ...]:
    """`folders` without those inside another of them, shortest first."""
    kept: list[str] = []
    for folder in sorted(set(folders), key=len):
        if not _inside_any(folder, kept):
            kept.append(folder)
    return tuple(kept)


def _suite_data(shown: Sequence[str], mapped: dict[str, str]) -> list[str]:
    """The data folders of every copy of the suite the sandbox could show: this one's, one
    installed in a shown site-packages, one an editable install maps; for a copy running from
    its source checkout also the checkout's git objects, build output and saved runs, which hold
    the same data."""
    packages = {Path(wbimage_conformance.__file__).resolve().parent}
    packages |= {Path(p, ROOT_PACKAGE).resolve() for p in shown if os.path.isdir(os.path.join(p, ROOT_PACKAGE))}
    if ROOT_PACKAGE in mapped:
        packages.add(Path(mapped[ROOT_PACKAGE]).resolve())
    spec_dirs = {Path(spec.SPEC_DIR).resolve(), *(p / "spec" for p in packages)}
    if f"{ROOT_PACKAGE}.spec" in mapped:
        spec_dirs.add(Path(mapped[f"{ROOT_PACKAGE}.spec"]).resolve())
    data = [p / "expectations" for p in packages] + [p / "history" / "saved" for p in packages]
    data += [s / "cases" for s in spec_dirs]
    for checkout in {p.parent for p in packages if p.name != ROOT_PACKAGE}:  # an editable install's source
        data += [checkout / name for name in CHECKOUT_DATA]
    return [str(d) for d in data if os.path.lexists(d)]


def _case_cache_dir() -> Path:
    from wbimage_conformance.cases import cache  # only when a sandbox starts: it imports the case loader

    return cache.cache_dir()


@dataclass(frozen=True)
class _Installation:
    """Where an interpreter's installation is: `paths` to show (prefixes, import paths, its
    folder) and `mapped`, the package folders its editable installs map names to (setuptools
    finders), which are on no import path."""

    paths: tuple[str, ...]
    mapped: dict[str, str]
    executable: str = ""
    user_base: str = ""


#: An interpreter's own account of its installation: prefixes, executable, import paths (after
#: site-packages, `.pth` files and editable installs' finders were processed; the first entry,
#: the script's folder or working folder, is the caller's, not the installation's) and the
#: folders editable installs map package names to; and the base of the user's site-packages
#: (`pip install --user`) when the interpreter uses one.
_DESCRIBE = """
import site, sys
mapped = {}
for name, module in list(sys.modules.items()):
    if name.startswith("__editable__") and isinstance(getattr(module, "MAPPING", None), dict):
        mapped.update(module.MAPPING)
        for package, folders in getattr(module, "NAMESPACES", {}).items():
            mapped.update({f"{package}#{i}": folder for i, folder in enumerate(folders)})
found = {"paths": [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, sys.executable,
                   *sys.path[0 if sys.flags.safe_path else 1:]],
         "mapped": mapped, "executable": sys.executable,
         "user_base": site.USER_BASE if site.ENABLE_USER_SITE and site.USER_SITE in sys.path else ""}
"""


@functools.lru_cache(maxsize=None)
def _installation(python: str) -> _Installation:
    """Where the interpreter's installation and import paths are (once per process): this
    interpreter answers in process, another is asked in a process of its own (without
    PYTHONPATH, which the sandbox adds itself)."""
    try:
        found = _described_here() if python == os.path.abspath(sys.executable) else _described_by(python)
        paths, mapped = list(found["paths"]), {str(k): str(v) for k, v in found["mapped"].items()}
        executable, user_base = str(found["executable"]), str(found["user_base"])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError, KeyError, TypeError, AttributeError) as exc:
        raise SandboxError(f"cannot ask {python} where its installation is: {exc}") from None
    absolute = [p for p in [*paths, *mapped.values()] if isinstance(p, str) and os.path.isabs(p)]
    return _Installation(tuple(os.path.dirname(p) if os.path.isfile(p) else p for p in absolute), mapped,
                         executable if os.path.isabs(executable) else "", user_base)


def _described_here() -> dict:
    namespace: dict = {}
    exec(_DESCRIBE, namespace)  # the same account another interpreter gives, without a process
    return namespace["found"]


def _described_by(python: str) -> dict:
    code = _DESCRIBE + "import json; print(json.dumps(found))\n"
    env = {"PATH": PATH, "HOME": os.environ.get("HOME", HOME)}  # its user site-packages as the caller's
    env.update({k: os.environ[k] for k in ("PYTHONUSERBASE", "PYTHONNOUSERSITE") if k in os.environ})
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60, cwd="/", env=env,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


@functools.lru_cache(maxsize=None)
def _bwrap_problem(box: Sandbox) -> str | None:
    """Why this sandbox cannot start a process here (None: it can): e.g. user namespaces are
    disabled. Tried with everything a real start uses, limits and user switch included."""
    argv, _ = box.wrap(["true"], {})
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    return None


def _bwrap_sandbox(bwrap: str) -> Sandbox:
    """The bwrap sandbox, with the process cap where the tools it takes are installed."""
    prlimit = shutil.which("prlimit")
    setpriv = shutil.which("setpriv") if os.geteuid() == 0 else None
    features = "no network, read-only system, private /tmp"
    if prlimit is None:
        processes = "processes not capped: prlimit is not installed"
    elif os.geteuid() == 0 and setpriv is None:
        processes = "processes not capped: running as root, which RLIMIT_NPROC exempts, and setpriv is not installed"
        prlimit = None
    else:
        processes = f"at most {process_limit()} processes"
        if setpriv:
            processes += ", as an unprivileged user of its own"
    return Sandbox("bwrap", f"bwrap ({bwrap}: {features}, {processes})", bwrap, prlimit, setpriv)


def choose(mode: str) -> Sandbox:
    """The sandbox for `--sandbox MODE`; SandboxError when `bwrap` is demanded and unusable."""
    if mode not in MODES:
        raise SandboxError(f"--sandbox {mode!r}: expected one of {', '.join(MODES)}")
    if mode == "none":
        return Sandbox("none", "none (--sandbox none: the implementation runs as the caller, unconfined)")
    bwrap = shutil.which("bwrap") if sys.platform.startswith("linux") else None
    box = _bwrap_sandbox(bwrap) if bwrap else None
    problem = "bwrap is not installed" if box is None else _bwrap_problem(box)
    if problem is None:
        assert box is not None
        return box
    if mode == "bwrap":
        raise SandboxError(f"--sandbox bwrap: {problem} (install bubblewrap, or choose --sandbox none)")
    return Sandbox("none", f"none (--sandbox auto: {problem}; the implementation runs unconfined)")
