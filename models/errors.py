"""User errors, one type per kind; the command line and the service map them in one place."""

from __future__ import annotations


class ForcepackError(Exception):
    """Base of every error a user can cause and fix."""


class ScenarioInputError(ForcepackError):
    """A scenario (file or request body) that is malformed, dangling or out of range.

    `problems` holds one line per problem, each starting with the path of the field.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.message())

    def message(self) -> str:
        """One paragraph: the source, then every problem found."""
        count = len(self.problems)
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''} in the scenario"
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class UnreadableInput(ScenarioInputError):
    """A file that cannot be read at all (missing, a folder, too large, not text): said as that,
    never as "problems in the scenario", which it may not even be."""

    def message(self) -> str:
        return f"{self.source}: cannot be read: {'; '.join(self.problems)}"


class OutputError(ForcepackError):
    """A file a command was asked to write that it cannot write (its kind, its folder, its rights)."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class SolutionInputError(ForcepackError):
    """A solution document that cannot be read."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: not a solution document\n" + "\n".join(f"  - {p}" for p in problems))
