"""Does a fresh run of a release agree with its saved one?

Only cases written the same way in both (same fingerprint) are compared: a case added or
changed since the history was saved has nothing to agree with, and is listed as such, not as a
disagreement. For those, the status must be the same; when both runs had the same case set,
the causes too (with another case set, triage may group results differently, so only the
statuses are held against each other).
"""

from __future__ import annotations

from dataclasses import dataclass

from wbimage_conformance.history.record import SavedRun


@dataclass(frozen=True)
class Agreement:
    differences: tuple[str, ...]     # one line each: case id, saved outcome, fresh outcome
    not_compared: tuple[str, ...]    # cases new or changed since the saved run, or gone from it
    environment: tuple[str, ...]     # environment entries that differ (they may explain the above)

    @property
    def agrees(self) -> bool:
        return not self.differences


def outcome_text(run: SavedRun, case_id: str) -> str:
    outcome = run.outcome(case_id)
    if outcome is None:
        return "not run"
    titles = run.cause_titles(outcome)
    return outcome.status + (f" ({'; '.join(titles)})" if titles else "")


def compare(saved: SavedRun, fresh: SavedRun) -> Agreement:
    same_cases = saved.environment.get("case_set_digest") == fresh.environment.get("case_set_digest")
    differences, not_compared = [], []
    for now in fresh.cases:
        before = saved.outcome(now.case_id)
        if before is None or before.fingerprint != now.fingerprint:
            not_compared.append(f"{now.case_id}: {'new' if before is None else 'changed'} since the saved run")
            continue
        differs = before.status != now.status
        if same_cases and not differs:
            differs = sorted(saved.cause_ids(before)) != sorted(fresh.cause_ids(now))
        if differs:
            differences.append(f"{now.case_id}: saved {outcome_text(saved, now.case_id)}; "
                               f"now {outcome_text(fresh, now.case_id)}")
    gone = [c.case_id for c in saved.cases if fresh.outcome(c.case_id) is None]
    not_compared += [f"{case_id}: in the saved run, not in this one" for case_id in gone]
    environment = [f"{key}: saved {saved.environment.get(key)}, now {fresh.environment.get(key)}"
                   for key in ("python", "numpy", "pillow", "torch")
                   if saved.environment.get(key) != fresh.environment.get(key)]
    return Agreement(tuple(differences), tuple(not_compared), tuple(environment))


#: The case families whose outcome is the pixels an input becomes.
PIXEL_FAMILIES = ("norm", "input", "mode")


@dataclass(frozen=True)
class Between:
    """Two releases' saved outcomes on the pixel cases both hold in the same form."""

    same: int
    differing: tuple[tuple[str, str], ...]   # (case id, the second release's cause or status)

    @property
    def compared(self) -> int:
        return self.same + len(self.differing)

    def most_common(self, count: int = 3) -> list[tuple[str, int]]:
        seen: dict[str, int] = {}
        for _, cause in self.differing:
            seen[cause] = seen.get(cause, 0) + 1
        return sorted(seen.items(), key=lambda item: (-item[1], item[0]))[:count]


def between(first: SavedRun, second: SavedRun) -> Between:
    """Where two releases give the same status with the same causes on the suite's pixel
    cases (the upgrade impact states it beside what it computed on the user's samples)."""
    same, differing = 0, []
    for case in first.cases:
        if case.family not in PIXEL_FAMILIES:
            continue
        other = second.outcome(case.case_id)
        if other is None or other.fingerprint != case.fingerprint:
            continue
        if (case.status, first.cause_titles(case)) == (other.status, second.cause_titles(other)):
            same += 1
        else:
            titles = second.cause_titles(other) or first.cause_titles(case)
            differing.append((case.case_id, titles[0] if titles else other.status))
    return Between(same, tuple(differing))
