"""Story renders: story pages as they were sent, kept beside the rows they were rendered from.

A render is a cache, never the truth: each carries the ``computed_at`` of the comparison it was made from
and is read only while that stamp is current; saving a comparison deletes its story's renders in the same
transaction (see :meth:`~parallax.store.comparisons.ComparisonRepository.save_comparison`), so a story
compared again never serves an old page, even when both saves fall in the same millisecond. ``renderer``
names the code that rendered (the web layer's digest of its templates and version): renders of another
renderer are not read, and are made again, so a new release never serves pages laid out by the old one.
"""

from __future__ import annotations

from collections.abc import Sequence

from parallax.model import StoryRender

from .base import StoreBase

__all__ = ["RenderRepository"]


class RenderRepository(StoreBase):
    """Rendered story pages, keyed by story and variant and stamped with their comparison's ``computed_at``."""

    def kept_render(self, story_id: str, variant: str, stamp: str, renderer: str = "") -> StoryRender | None:
        """The render ``variant`` of ``story_id`` made by ``renderer`` from the comparison stamped ``stamp``;
        None if none is kept or the one kept was made from another comparison or by another renderer."""
        row = self.conn.execute(
            "SELECT media_type, body FROM story_renders WHERE story_id = ? AND variant = ? AND stamp = ?",
            (story_id, variant, _keyed(stamp, renderer)),
        ).fetchone()
        return None if row is None else StoryRender(variant, str(row[0]), bytes(row[1]))

    def save_story_renders(self, story_id: str, stamp: str, renders: Sequence[StoryRender],
                           renderer: str = "") -> bool:
        """Keep ``renders`` of ``story_id`` in place of those kept, if its comparison is still the one stamped
        ``stamp`` (False, nothing written, when it was compared again meanwhile)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT computed_at FROM comparisons WHERE story_id = ?", (story_id,)).fetchone()
            if row is None or str(row[0]) != stamp:
                return False
            conn.execute("DELETE FROM story_renders WHERE story_id = ?", (story_id,))
            conn.executemany(
                "INSERT INTO story_renders(story_id, variant, stamp, media_type, body) VALUES (?, ?, ?, ?, ?)",
                [(story_id, r.variant, _keyed(stamp, renderer), r.media_type, r.body) for r in renders],
            )
        return True

    def stories_to_render(self, renderer: str = "") -> dict[str, str]:
        """Compared stories (id -> their comparison's stamp) with no renders made by ``renderer`` from that
        comparison."""
        suffix = _keyed("", renderer)
        return {str(sid): str(stamp) for sid, stamp in self.conn.execute(
            "SELECT c.story_id, c.computed_at FROM comparisons c WHERE NOT EXISTS"
            " (SELECT 1 FROM story_renders r WHERE r.story_id = c.story_id AND r.stamp = c.computed_at || ?)"
            " ORDER BY c.n_articles DESC, c.story_id", (suffix,))}


def _keyed(stamp: str, renderer: str) -> str:
    """What a render's ``stamp`` column holds: the comparison's stamp, and the renderer when named."""
    return f"{stamp}|{renderer}" if renderer else stamp
