"""Named, ordered schema migrations. Each runs once, inside its own transaction.

Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_articles",
        """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            outlet TEXT NOT NULL,
            title TEXT NOT NULL,
            date TEXT,
            url TEXT,
            byline TEXT,
            source_path TEXT,
            content_hash TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            removed TEXT NOT NULL DEFAULT '[]',
            near_duplicate_of TEXT,
            story_hint TEXT,
            ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX articles_outlet ON articles(outlet);
        CREATE INDEX articles_date ON articles(date);
        CREATE TABLE article_aliases (
            alias TEXT PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE
        );
        CREATE TABLE minhashes (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            signature BLOB NOT NULL
        );
        """,
    ),
    (
        "0002_article_search",
        """
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
        END;
        """,
    ),
    (
        "0003_analyses",
        """
        CREATE TABLE analyses (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            data TEXT NOT NULL,
            analyzed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE TABLE quotes (
            id INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            kind TEXT NOT NULL,
            speaker TEXT,
            speaker_name TEXT,
            speaker_key TEXT,
            content TEXT NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            cue TEXT,
            relay TEXT,
            relay_kind TEXT,
            UNIQUE(article_id, idx)
        );
        CREATE INDEX quotes_speaker_key ON quotes(speaker_key);
        CREATE VIRTUAL TABLE quotes_fts USING fts5(
            content, speaker_name, content='quotes', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER quotes_ai AFTER INSERT ON quotes BEGIN
            INSERT INTO quotes_fts(rowid, content, speaker_name) VALUES (new.id, new.content, new.speaker_name);
        END;
        CREATE TRIGGER quotes_ad AFTER DELETE ON quotes BEGIN
            INSERT INTO quotes_fts(quotes_fts, rowid, content, speaker_name)
            VALUES ('delete', old.id, old.content, old.speaker_name);
        END;
        CREATE TABLE article_sources (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (article_id, name)
        );
        """,
    ),
    (
        "0004_stories",
        """
        CREATE TABLE vectors (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            vector BLOB NOT NULL,
            entities TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            first_date TEXT,
            last_date TEXT,
            n_articles INTEGER NOT NULL DEFAULT 0,
            n_outlets INTEGER NOT NULL DEFAULT 0,
            dirty INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX stories_last_date ON stories(last_date);
        CREATE TABLE story_articles (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE
        );
        CREATE INDEX story_articles_story ON story_articles(story_id);
        CREATE TABLE comparisons (
            story_id TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
            n_articles INTEGER NOT NULL,
            data TEXT NOT NULL,
            computed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE TABLE entities (
            key TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            label TEXT NOT NULL
        );
        CREATE TABLE entity_articles (
            entity_key TEXT NOT NULL REFERENCES entities(key) ON DELETE CASCADE,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            story_id TEXT NOT NULL,
            forms TEXT NOT NULL DEFAULT '[]',
            count INTEGER NOT NULL,
            PRIMARY KEY (entity_key, article_id)
        );
        CREATE INDEX entity_articles_story ON entity_articles(story_id);
        """,
    ),
    (
        "0005_web_story_order",
        """
        CREATE INDEX stories_web_order ON stories(
            substr(coalesce(last_date, ''), 1, 10) DESC, n_outlets DESC, n_articles DESC, id
        );
        """,
    ),
    (
        "0006_story_pages",
        # Page pieces of stored comparisons (see store/pages.py), and covering indexes that keep searches
        # off the wide article and quote rows: full-text hits map to stories and dates through them
        # (quotes.date is its article's date, copied so a quote hit sorts without a second lookup), and
        # each entity's article and story counts kept with it for the entity list; entity_pages keeps the
        # remark grouping of much-quoted speakers (store/queries.py, store_entity_page).
        """
        CREATE TABLE story_pages (
            story_id TEXT PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
            computed_at TEXT NOT NULL,
            version INTEGER NOT NULL,
            n_columns INTEGER NOT NULL,
            summary TEXT NOT NULL
        );
        CREATE TABLE story_columns (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            article_id TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (story_id, ord)
        );
        CREATE INDEX quotes_id_article ON quotes(id, article_id);
        CREATE INDEX articles_id_date_outlet ON articles(id, date, outlet);
        CREATE INDEX articles_date_outlet ON articles(date, outlet);
        ALTER TABLE story_articles ADD COLUMN article_rowid INTEGER;
        UPDATE story_articles SET article_rowid = (SELECT a.rowid FROM articles a WHERE a.id = story_articles.article_id);
        CREATE INDEX story_articles_rowid ON story_articles(article_rowid, story_id);
        ALTER TABLE quotes ADD COLUMN date TEXT;
        UPDATE quotes SET date = (SELECT a.date FROM articles a WHERE a.id = quotes.article_id);
        CREATE INDEX quotes_id_date ON quotes(id, date);
        ALTER TABLE entities ADD COLUMN n_articles INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE entities ADD COLUMN n_stories INTEGER NOT NULL DEFAULT 0;
        UPDATE entities SET
            n_articles = (SELECT count(DISTINCT ea.article_id) FROM entity_articles ea WHERE ea.entity_key = entities.key),
            n_stories = (SELECT count(DISTINCT ea.story_id) FROM entity_articles ea WHERE ea.entity_key = entities.key);
        CREATE INDEX entities_by_articles ON entities(n_articles DESC, name);
        CREATE TABLE entity_pages (
            key TEXT PRIMARY KEY,
            stamp TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE TABLE entity_remarks (
            key TEXT NOT NULL,
            page INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (key, page)
        );
        """,
    ),
    (
        "0007_watch_feeds",
        # Live coverage (parallax watch, store/feeds.py). feeds: what is polled and its health; feed_items:
        # every item a feed listed, with its state (pending until its page is stored, so a watcher killed
        # mid-cycle fetches it again on restart); article_versions: every text a watched URL had, the
        # latest being the articles row itself (the comparison reads that); articles_au keeps the full-text
        # index right when an article's text is replaced by a newer version.
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            outlet TEXT,
            every_s INTEGER NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            title TEXT,
            etag TEXT,
            last_modified TEXT,
            last_fetch_at TEXT,
            last_ok_at TEXT,
            last_status INTEGER,
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            n_errors INTEGER NOT NULL DEFAULT 0,
            next_due REAL NOT NULL DEFAULT 0,
            added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE TABLE feed_items (
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            guid TEXT,
            title TEXT,
            published TEXT,
            published_raw TEXT,
            fingerprint TEXT NOT NULL,
            seen_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            article_id TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_try REAL NOT NULL DEFAULT 0,
            error TEXT,
            listed REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (feed_id, url)
        );
        CREATE INDEX feed_items_due ON feed_items(state, next_try);
        CREATE INDEX feed_items_article ON feed_items(article_id);
        CREATE TABLE watched_pages (
            url TEXT PRIMARY KEY,
            article_id TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            fetched_at TEXT NOT NULL,
            checked REAL NOT NULL DEFAULT 0
        );
        CREATE INDEX watched_pages_article ON watched_pages(article_id);
        CREATE TABLE article_versions (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            PRIMARY KEY (article_id, version)
        );
        CREATE TABLE feed_errors (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            url TEXT NOT NULL,
            status INTEGER,
            error TEXT NOT NULL
        );
        CREATE INDEX feed_errors_feed ON feed_errors(feed_id, id);
        CREATE TABLE watch_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        """,
    ),
    (
        "0008_jobs",
        # Background jobs of the web app (store/jobs.py): POST /api/ingest stores the articles, answers 202
        # with a job id and analyses in the background; GET /api/jobs/ID reads the row, so a restarted
        # server still shows the job (and queues again one it left running).
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
            counts TEXT NOT NULL DEFAULT '{}',
            error TEXT,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX jobs_state ON jobs(state, created_at);
        """,
    ),
    (
        "0009_analysis_vectors",
        # Each analysis keeps the stamp of the models that made it (a new model package re-analyses; ''
        # is an analysis from before the stamp, kept) and its embeddings: the lead's vector (float32), then
        # one float16 row per sentence and per quote (parallax.stories.vectors.ArticleVectors), so grouping
        # and every later comparison of the story read them instead of running the encoder again.
        """
        ALTER TABLE analyses ADD COLUMN models TEXT NOT NULL DEFAULT '';
        ALTER TABLE analyses ADD COLUMN vectors BLOB;
        """,
    ),
    (
        "0010_comparison_rows",
        # Comparisons as rows keyed by story, article and sentence (store/findings.py, store/comparisons.py):
        # one table per kind of finding, each row written only when it changed. Comparisons kept whole stay
        # readable (format 1) until ComparisonRepository.pack_comparison cuts them into rows (run by `parallax
        # upgrade`, `parallax serve` and every analysis, one story per transaction): the blobs are gzip, which
        # SQL cannot read, and recomputing every story would take hours on a large store for the same result.
        # Story-page pieces are dropped: pages read the rows. A story whose article's analysis changes is
        # marked for recomparison, since its comparison now reads sentences and mentions from the analyses.
        """
        ALTER TABLE comparisons ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
        CREATE TABLE comparison_articles (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            article_id TEXT NOT NULL,
            ord INTEGER NOT NULL,
            patch TEXT NOT NULL,
            PRIMARY KEY (story_id, article_id)
        ) WITHOUT ROWID;
        CREATE TABLE comparison_alignments (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            article_id TEXT NOT NULL,
            sentence INTEGER NOT NULL,
            n INTEGER NOT NULL,
            ord INTEGER NOT NULL,
            status TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (story_id, article_id, sentence, n)
        ) WITHOUT ROWID;
        CREATE TABLE comparison_gaps (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            side TEXT NOT NULL CHECK (side IN ('unique', 'missing')),
            outlet TEXT NOT NULL,
            article_id TEXT NOT NULL,
            sentence INTEGER NOT NULL,
            n INTEGER NOT NULL,
            ord INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (story_id, side, outlet, article_id, sentence, n)
        ) WITHOUT ROWID;
        CREATE TABLE comparison_conflicts (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            a_article TEXT NOT NULL,
            a_sentence INTEGER NOT NULL,
            b_article TEXT NOT NULL,
            b_sentence INTEGER NOT NULL,
            n INTEGER NOT NULL,
            ord INTEGER NOT NULL,
            type TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (story_id, a_article, a_sentence, b_article, b_sentence, n)
        ) WITHOUT ROWID;
        CREATE TABLE comparison_quote_groups (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            group_id TEXT NOT NULL,
            n INTEGER NOT NULL,
            ord INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (story_id, group_id, n)
        ) WITHOUT ROWID;
        CREATE TABLE comparison_quote_wordings (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            group_id TEXT NOT NULL,
            n INTEGER NOT NULL,
            k INTEGER NOT NULL,
            article_id TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (story_id, group_id, n, k)
        ) WITHOUT ROWID;
        CREATE TABLE comparison_entities (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            entity_id TEXT NOT NULL,
            n INTEGER NOT NULL,
            ord INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (story_id, entity_id, n)
        ) WITHOUT ROWID;
        CREATE TABLE comparison_framing (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            outlet TEXT NOT NULL,
            part TEXT NOT NULL CHECK (part IN ('o', 't', 'l', 'p')),
            item TEXT NOT NULL,
            n INTEGER NOT NULL,
            ord INTEGER NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (story_id, outlet, part, item, n)
        ) WITHOUT ROWID;
        CREATE TABLE comparison_sources (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            outlet TEXT NOT NULL,
            name TEXT NOT NULL,
            ord INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (story_id, outlet, name)
        ) WITHOUT ROWID;
        DROP TABLE story_columns;
        DROP TABLE story_pages;
        CREATE TRIGGER analyses_restale BEFORE INSERT ON analyses
        WHEN (SELECT data FROM analyses WHERE article_id = new.article_id) IS NOT new.data BEGIN
            UPDATE stories SET dirty = 1 WHERE id = (SELECT story_id FROM story_articles WHERE article_id = new.article_id);
        END;
        """,
    ),
    (
        "0011_comparison_articles_order",
        # An article's row of a comparison held an ``ord`` that was always 0: the header keeps the order of
        # the articles, so that a row whose place alone moved is not written again. The table is rebuilt
        # without it (ALTER TABLE ... DROP COLUMN needs SQLite 3.35; Python may bring an older one).
        """
        CREATE TABLE comparison_articles_new (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            article_id TEXT NOT NULL,
            patch TEXT NOT NULL,
            PRIMARY KEY (story_id, article_id)
        ) WITHOUT ROWID;
        INSERT INTO comparison_articles_new(story_id, article_id, patch)
            SELECT story_id, article_id, patch FROM comparison_articles;
        DROP TABLE comparison_articles;
        ALTER TABLE comparison_articles_new RENAME TO comparison_articles;
        """,
    ),
    (
        "0012_story_renders",
        # Story pages as sent, gzip-compressed, each stamped with the ``computed_at`` of the comparison it was
        # rendered from: a cache of what the rows give (the rows stay what is true), so that a first request
        # costs a read of stored bytes. Saving a comparison deletes its story's renders.
        """
        CREATE TABLE story_renders (
            story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            variant TEXT NOT NULL,
            stamp TEXT NOT NULL,
            media_type TEXT NOT NULL,
            body BLOB NOT NULL,
            PRIMARY KEY (story_id, variant)
        );
        """,
    ),
    (
        "0013_comparison_rules",
        # The version of the comparison's rules and models a stored comparison was made with
        # (store.comparisons.COMPARISON_VERSION); one made before this column existed is version 0, so a
        # store upgraded to new rules compares its stories again instead of showing the old findings.
        """
        ALTER TABLE comparisons ADD COLUMN rules INTEGER NOT NULL DEFAULT 0;
        """,
    ),
]
