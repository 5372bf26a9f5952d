"""parallax: compare how different outlets tell the same news story.

Layers, lowest first. A module imports only from its own layer or the ones below it (tests/test_layers.py
checks this, and that no import cycle exists); only ``store`` runs SQL.

    1 records:  parallax (this file), errors, model, keys, quote_mode, settings, weights
    2 store:    store
    3 stages:   ingest, analyze, stories, compare, remarks
    4 jobs:     pipeline, engine, entity_pages, export, report
    5 service:  api
    6 shells:   cli, cli_watch, clidoc, terminal, web, watch, eval, train

See docs/architecture.md for the picture and the way one article travels through them.
"""

__version__="0.1.0"
