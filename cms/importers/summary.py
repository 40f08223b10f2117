"""What an import did, told at its end: how many authors, tags, posts and comments were
created, updated and left as they were, what was skipped (each by its id in the file, with
the reason) and what was worth a note (a slug taken, an author never defined...)."""

from collections import Counter
from dataclasses import dataclass, field

from pydantic import ValidationError

from cms.importers.items import Skipped
from cms.problems import DomainError, invalid_fields

KINDS = ("author", "tag", "post", "comment")
SHOWN = 50  # skipped items and notes listed one by one; beyond that, counted


@dataclass(frozen=True)
class Mark:
    counters: list[Counter[str]]  # created, updated, unchanged: a few kinds each, cheap to copy
    skipped: int
    notes: int


@dataclass
class Summary:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def mark(self) -> "Mark":
        """Where the summary stands, to go back to if an item is refused half-way."""
        return Mark(
            [Counter(c) for c in (self.created, self.updated, self.unchanged)],
            len(self.skipped),
            len(self.notes),
        )

    def back_to(self, mark: "Mark") -> None:
        self.created, self.updated, self.unchanged = mark.counters
        del self.skipped[mark.skipped :]
        del self.notes[mark.notes :]

    def skip(self, item: Skipped) -> None:
        if item.kind == "note":  # something said of an item that is imported all the same
            self.note(f"post {item.source_id}: {item.reason}")
        else:
            self.skipped.append(item)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def lines(self) -> list[str]:
        """The summary as the command prints it."""
        lines = [
            f"{title}: {_counts(counter)}"
            for title, counter in (
                ("Created", self.created),
                ("Updated", self.updated),
                ("Unchanged", self.unchanged),
            )
        ]
        kinds = Counter(item.kind for item in self.skipped)
        lines.append(f"Skipped: {_counts(kinds)}")
        lines += [f"  {item.kind} {item.source_id}: {item.reason}" for item in self.skipped[:SHOWN]]
        lines += _more(len(self.skipped))
        if self.notes:
            lines.append("Notes:")
            lines += [f"  {note}" for note in self.notes[:SHOWN]]
            lines += _more(len(self.notes))
        return lines


def _counts(counter: Counter[str]) -> str:
    shown = [
        f"{counter[kind]} {kind}{'' if counter[kind] == 1 else 's'}"
        for kind in KINDS
        if counter[kind]
    ]
    shown += [
        f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in counter.items() if kind not in KINDS
    ]
    return ", ".join(shown) or "nothing"


def _more(count: int) -> list[str]:
    return [f"  ... and {count - SHOWN} more"] if count > SHOWN else []


def reason_of(error: ValidationError | DomainError) -> str:
    """What the services said was wrong, as one line: `html: String should have at most
    500000 characters`."""
    return invalid_fields(error) if isinstance(error, ValidationError) else error.detail
