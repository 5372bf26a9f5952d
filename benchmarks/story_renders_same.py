"""Story pages rendered ahead against pages rendered now: the same bytes for every compared story.

Give two copies of one store: KEPT after ``parallax serve``'s preparation (renders kept), LIVE without
(a copy never prepared by a version with renders). Asks both web apps, in process, for each story's page,
its ``?view=page`` JSON (pages 1 and 2) and its whole comparison JSON, and counts the bodies that differ.

    .venv/bin/python benchmarks/story_renders_same.py KEPT.db LIVE.db
"""
import sys
from starlette.testclient import TestClient
from parallax.web import create_app
from parallax.store import Database
kept, live = (TestClient(create_app(p), base_url="http://localhost") for p in sys.argv[1:3])
with Database(sys.argv[1], readonly=True) as db:
    ids = db.largest_compared_stories(100000)
n = diff = gz = 0
for sid in ids:
    for url in (f"/stories/{sid}", f"/stories/{sid}.json?view=page", f"/stories/{sid}?page=2", f"/stories/{sid}.json?view=page&page=2", f"/stories/{sid}.json"):
        a, b = kept.get(url), live.get(url)
        if a.status_code == 404 and b.status_code == 404:
            continue
        n += 1
        assert a.status_code == 200, (url, a.status_code)
        gz += a.headers.get("content-encoding") == "gzip"
        if a.content != b.content or a.status_code != b.status_code or a.headers["content-type"] != b.headers["content-type"]:
            diff += 1
            print("DIFF", url)
print(f"{n} pages compared, {diff} differ, {gz} sent from kept renders (gzip)")
