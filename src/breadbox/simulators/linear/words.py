"""Deterministic, readable text for generated issues, comments, projects and documents.

Search tests look for phrases, so the text is built from real English words, and each entity
gets a rarely repeated "codename" (adjective + animal) that a test can search for exactly.
"""

from __future__ import annotations

import random

ADJECTIVES = [
    "amber",
    "brisk",
    "cobalt",
    "dusty",
    "eager",
    "fuzzy",
    "golden",
    "hollow",
    "ivory",
    "jolly",
    "keen",
    "lively",
    "mellow",
    "nimble",
    "olive",
    "patient",
    "quiet",
    "rapid",
    "silver",
    "tidy",
    "umber",
    "vivid",
    "wistful",
    "young",
    "zesty",
    "crimson",
    "gentle",
    "humble",
    "lucky",
    "marble",
    "noble",
    "polar",
    "rustic",
    "sunny",
    "velvet",
    "windy",
]
ANIMALS = [
    "falcon",
    "otter",
    "badger",
    "heron",
    "lynx",
    "marten",
    "osprey",
    "panda",
    "quokka",
    "raven",
    "salmon",
    "tapir",
    "walrus",
    "yak",
    "zebra",
    "bison",
    "condor",
    "dingo",
    "egret",
    "ferret",
    "gecko",
    "ibis",
    "jackal",
    "koala",
    "lemur",
    "moose",
    "narwhal",
    "ocelot",
    "pelican",
    "puffin",
]
VERBS = [
    "Fix",
    "Add",
    "Remove",
    "Refactor",
    "Investigate",
    "Improve",
    "Document",
    "Migrate",
    "Speed up",
    "Simplify",
]
COMPONENTS = [
    "login redirect",
    "billing page",
    "search index",
    "webhook retries",
    "export job",
    "settings panel",
    "onboarding flow",
    "sync worker",
    "invoice emails",
    "audit log",
    "dark mode",
    "keyboard shortcuts",
    "file uploads",
    "rate limiter",
    "mobile layout",
    "notification digest",
    "API pagination",
    "team permissions",
    "calendar view",
    "CSV import",
]
NOUNS = [
    "cache",
    "queue",
    "timeout",
    "token",
    "cursor",
    "schema",
    "migration",
    "dashboard",
    "report",
    "latency",
    "retry",
    "payload",
    "backlog",
    "deadline",
    "release",
    "customer",
    "ticket",
    "metric",
    "alert",
    "rollout",
    "replica",
    "session",
    "checkout",
    "template",
    "widget",
    "pipeline",
]
SENTENCE_VERBS = [
    "breaks during deploys",
    "times out under load",
    "drops the last page",
    "needs a clearer error",
    "ignores the archived flag",
    "returns stale data",
    "doubles the request count",
    "blocks the release",
    "confuses new customers",
    "leaks memory overnight",
    "skips the first row",
    "retries too eagerly",
]
CONNECTIVES = ("Meanwhile", "However", "In practice", "Separately", "As a result", "Oddly")


class TextGen:
    """All randomness for text flows through one seeded generator, so a seed fixes the words."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def codename(self) -> str:
        return f"{self.rng.choice(ADJECTIVES)} {self.rng.choice(ANIMALS)}"

    def sentence(self) -> str:
        r = self.rng
        noun = r.choice(NOUNS)
        text = f"The {r.choice(ADJECTIVES)} {noun} {r.choice(SENTENCE_VERBS)}"
        if r.random() < 0.4:
            text = (
                f"{r.choice(CONNECTIVES)}, the {noun} for {r.choice(COMPONENTS)} {r.choice(SENTENCE_VERBS)}"
            )
        return text + "."

    def paragraph(self, sentences: int = 3) -> str:
        return " ".join(self.sentence() for _ in range(sentences))

    def issue_title(self) -> str:
        r = self.rng
        return f"{r.choice(VERBS)} {r.choice(NOUNS)} handling in {r.choice(COMPONENTS)}"

    def issue_description(self, codename: str) -> str:
        r = self.rng
        steps = "\n".join(f"{n}. {self.sentence()}" for n in range(1, r.randint(2, 4)))
        return (
            f"Reported by the {codename} squad.\n\n{self.paragraph(r.randint(1, 3))}\n\n"
            f"## Steps to reproduce\n\n{steps}\n\n- [ ] {self.sentence()}\n- [x] {self.sentence()}"
        )

    def comment_body(self) -> str:
        r = self.rng
        body = self.paragraph(r.randint(1, 2))
        if r.random() < 0.2:
            body += f"\n\n```\n{r.choice(NOUNS)}_{r.choice(NOUNS)}()\n```"
        return body

    def project(self, codename: str) -> tuple[str, str, str]:
        """(name, short description, markdown content)."""
        name = f"Project {codename.title()}"
        description = f"Ship the {self.rng.choice(COMPONENTS)} overhaul."
        content = (
            f"# {name}\n\n{self.paragraph(3)}\n\n## Goals\n\n- {self.sentence()}\n- {self.sentence()}\n\n"
            f"## Non-goals\n\n{self.paragraph(2)}\n\n| Milestone | Owner |\n| --- | --- |\n"
            f"| Alpha | {codename} |\n| Beta | {self.codename()} |"
        )
        return name, description, content

    def document(self, codename: str) -> tuple[str, str]:
        """(title, markdown content)."""
        title = f"{self.rng.choice(['RFC', 'Runbook', 'Notes', 'Spec'])}: {codename} {self.rng.choice(NOUNS)}"
        content = (
            f"# {title}\n\n{self.paragraph(2)}\n\n## Details\n\n{self.paragraph(3)}\n\n"
            f"> {self.sentence()}\n\n### Checklist\n\n- {self.sentence()}\n- {self.sentence()}"
        )
        return title, content
