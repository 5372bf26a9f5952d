"""Terminal output for the CLI: progress bars, the stories table and the story summary (Rich)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.progress import TaskID, TimeRemainingColumn
from rich.table import Table

from parallax.model import Comparison, Story
from parallax.report.view import CONFLICTS_CAVEAT

__all__ = ["print_comparison", "print_stories", "progress_bars"]

STAGE_LABELS = {"ingest": "reading", "analyze": "analyzing", "cluster": "grouping", "compare": "comparing",
                "pack": "compressing comparisons", "pages": "story pages", "entities": "grouping remarks"}


@contextmanager
def progress_bars(*, enabled: bool = True) -> Iterator[Callable[[str, int, int | None], None]]:
    """A ``ProgressFn`` that draws one Rich bar per stage on stderr (silent when not a terminal)."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda stage, done, total: None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(STAGE_LABELS.get(stage, stage), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield update


def print_stories(stories: Sequence[Story]) -> None:
    console = Console()
    table = Table(title=f"{len(stories)} stories", show_lines=False, expand=True)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("dates", no_wrap=True)
    table.add_column("title", ratio=3)
    table.add_column("outlets", ratio=2)
    for story in stories:
        first, last = (story.first_date or "")[:10], (story.last_date or "")[:10]
        dates = first if last in ("", first) else f"{first}–{last[5:] if last[:4] == first[:4] else last}"
        table.add_row(story.id, str(len(story.article_ids)), dates, story.title, ", ".join(story.outlets))
    console.print(table)


def print_comparison(comparison: Comparison) -> None:
    """A readable summary: outlets, shared facts, what each adds or leaves out, conflicts, quotes, sources."""
    console = Console()
    story = comparison.story
    console.rule(f"[bold]{story.title}[/bold]")
    console.print(f"story {story.id} · {len(story.article_ids)} articles · {', '.join(story.outlets)}")
    for article in comparison.articles:
        console.print(f"  • [bold]{article.outlet}[/bold]: {article.title} ({article.date or 'undated'}) [dim]{article.id}[/dim]")
    shared = [a for a in comparison.alignments if a.status == "shared"]
    console.print(f"\n[bold green]Shared[/bold green]: {len(shared)} sentences report facts other outlets also report")
    _print_gaps(console, "Only in", comparison.unique, "yellow")
    _print_gaps(console, "Missing from", comparison.missing, "magenta")
    if comparison.conflicts:
        console.print("\n[bold red]Conflicts[/bold red]")
        console.print(f"  [dim]{CONFLICTS_CAVEAT}[/dim]")
        for conflict in comparison.conflicts:
            console.print(f"  [{conflict.type}] {conflict.reason} (confidence {conflict.confidence:.2f})")
            console.print(f"    {conflict.a.outlet}: {_clip(conflict.a_text)}")
            console.print(f"    {conflict.b.outlet}: {_clip(conflict.b_text)}")
    groups = [g for g in comparison.quote_groups if len({w.outlet for w in g.wordings}) > 1]
    if groups:
        console.print("\n[bold]Quoted by several outlets[/bold]")
        for group in groups:
            console.print(f"  {group.speaker or 'unknown speaker'} ({group.label})")
            for wording in group.wordings:
                console.print(f"    {wording.outlet}: “{_clip(wording.content.text)}”")
    if comparison.sources:
        console.print("\n[bold]Sources relied on[/bold]")
        for outlet, counts in comparison.sources.items():
            listed = ", ".join(f"{name} ×{count}" for name, count in sorted(counts.items(), key=lambda kv: -kv[1]))
            console.print(f"  {outlet}: {listed or '—'}")


def _print_gaps(console: Any, heading: str, gaps: Sequence[Any], colour: str) -> None:
    by_outlet: dict[str, list[Any]] = {}
    for gap in gaps:
        by_outlet.setdefault(gap.outlet, []).append(gap)
    for outlet, items in by_outlet.items():
        console.print(f"\n[bold {colour}]{heading} {outlet}[/bold {colour}] ({len(items)})")
        for gap in items[:8]:
            console.print(f"  – {_clip(gap.text)}")
        if len(items) > 8:
            console.print(f"  … and {len(items) - 8} more")


def _clip(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
