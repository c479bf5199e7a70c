"""Load a publication the size of a real one, for the benchmark.

Everything is written by a handful of INSERT ... SELECT FROM
generate_series statements, so 10,000 tools and 3,000,000 votes take a
minute or two. Verdicts and votes are loaded with the tally triggers off
and the tallies recounted after, as `rebuild_tallies` does. PostgreSQL
only.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from reviewers.tallies import panel_rebuild
from tools.models import Tool
from tools.tallies import tally_rebuild

PREFIX = "scale"

CATEGORIES = """
INSERT INTO tools_category (name, slug, description, updated_at)
SELECT 'Scale category ' || g, 'scale-category-' || g,
       'One of the benchmark''s ' || %(categories)s || ' categories.', now()
FROM generate_series(1, %(categories)s) AS g
"""

TOOLS = """
INSERT INTO tools_tool (
    name, slug, category_id, tagline, description, website, pricing_tier,
    pricing_note, logo, logo_alt, logo_renditions, share_card, share_card_key,
    created_at, updated_at
)
SELECT 'Scale Tool ' || g, 'scale-tool-' || g, category.id,
       'Scale Tool ' || g || ' does one thing at scale',
       'A tool made up for the benchmark. It does **one** thing well.',
       '', (ARRAY['free', 'freemium', 'open_source', 'paid', 'enterprise'])[1 + g %% 5],
       'Free to start; paid plans per seat.', '', '', '{}'::jsonb, '', '',
       now() - g * interval '1 minute', now()
FROM generate_series(1, %(tools)s) AS g
JOIN tools_category AS category
  ON category.slug = 'scale-category-' || (1 + g %% %(categories)s)
"""

PERSONAS = """
INSERT INTO reviewers_reviewer (
    name, slug, lens, bio, avatar, avatar_alt, avatar_renditions, seat, active,
    updated_at
)
SELECT 'Scale Persona ' || g, 'scale-persona-' || g, 'Lens number ' || g,
       'A persona made up for the benchmark.', '', '', '{}'::jsonb, 100 + g, true,
       now()
FROM generate_series(1, %(personas)s) AS g
"""

VERDICTS = """
INSERT INTO reviewers_review (
    reviewer_id, tool_id, verdict, quote, created_at, updated_at
)
SELECT persona.id, tool.id,
       CASE WHEN (persona.id + tool.id) %% 4 = 0 THEN 'skip' ELSE 'ship' END,
       'Judged through ' || persona.lens || ', it earns its verdict.', now(), now()
FROM reviewers_reviewer AS persona
CROSS JOIN tools_tool AS tool
WHERE persona.slug LIKE 'scale-persona-%%' AND tool.slug LIKE 'scale-tool-%%'
"""

COMPARISONS = """
INSERT INTO comparisons_comparison (
    left_id, right_id, slug, standfirst, bottom_line, status, published_at,
    share_card, share_card_key, created_at, updated_at
)
SELECT one.id, other.id, one.slug || '-vs-' || other.slug,
       'Which one should you ship with? ' || one.name || ' against ' || other.name
       || ': the panel verdict, pricing read, reviewer split and community vote.',
       'Ship with **' || one.name || '** if you want it today.',
       'published', now() - g * interval '2 hours', '', '',
       now() - g * interval '2 hours', now()
FROM generate_series(1, %(comparisons)s) AS g
JOIN tools_tool AS one ON one.slug = 'scale-tool-' || (2 * g - 1)
JOIN tools_tool AS other ON other.slug = 'scale-tool-' || (2 * g)
"""

VIRAL_VOTES = """
INSERT INTO tools_vote (tool_id, reader, verdict, cast_at, created_at)
SELECT tool.id, md5('scale-viral-' || g),
       CASE WHEN g %% 10 < 7 THEN 'ship' ELSE 'skip' END,
       now() - (g %% 604800) * interval '1 second', now()
FROM generate_series(1, %(viral)s) AS g
CROSS JOIN (SELECT id FROM tools_tool WHERE slug = 'scale-tool-1') AS tool
"""

OTHER_VOTES = """
INSERT INTO tools_vote (tool_id, reader, verdict, cast_at, created_at)
SELECT tool.id, md5('scale-other-' || g),
       CASE WHEN g %% 3 = 0 THEN 'skip' ELSE 'ship' END,
       now() - (g %% 604800) * interval '1 second', now()
FROM generate_series(1, %(other)s) AS g
JOIN tools_tool AS tool ON tool.slug = 'scale-tool-' || (2 + g %% (%(tools)s - 1))
"""


class Command(BaseCommand):
    help = (
        "Load a publication at scale for `make bench`: 10,000 tools in 50 "
        "categories, 20 personas with a verdict on every tool, 5,000 published "
        "comparisons, 1,000,000 votes on one tool (scale-tool-1) and 3,000,000 in "
        "all. PostgreSQL only; does nothing if it has been loaded already."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--categories", type=int, default=50)
        parser.add_argument("--tools", type=int, default=10_000)
        parser.add_argument("--personas", type=int, default=20)
        parser.add_argument("--comparisons", type=int, default=5_000)
        parser.add_argument("--viral-votes", type=int, default=1_000_000)
        parser.add_argument("--votes", type=int, default=3_000_000)

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_scale needs PostgreSQL (set DATABASE_URL): it loads "
                "millions of rows with generate_series."
            )
        sizes = {
            "categories": options["categories"],
            "tools": options["tools"],
            "personas": options["personas"],
            "comparisons": options["comparisons"],
            "viral": options["viral_votes"],
            "other": options["votes"] - options["viral_votes"],
        }
        if sizes["tools"] < 2 * sizes["comparisons"]:
            raise CommandError("Each comparison takes two tools of its own.")
        if sizes["other"] < 0:
            raise CommandError("--votes counts all votes, the viral ones too.")
        if Tool.objects.filter(slug__startswith=f"{PREFIX}-tool-").exists():
            self.stdout.write("The scale content is loaded already; nothing changed.")
            return
        steps = [
            ("categories", CATEGORIES),
            ("tools", TOOLS),
            ("personas", PERSONAS),
            ("verdicts", VERDICTS),
            ("comparisons", COMPARISONS),
        ]
        counted = ["tools_vote", "reviewers_review", "reviewers_reviewer"]
        with transaction.atomic(), connection.cursor() as cursor:
            for table in counted:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for name, sql in steps:
                self._run(cursor, name, sql, sizes)
            self._run(cursor, "votes on scale-tool-1", VIRAL_VOTES, sizes)
            self._run(cursor, "other votes", OTHER_VOTES, sizes)
            # The foreign keys are checked now, so no trigger event is
            # pending when the tables are altered again.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in counted:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            started = time.monotonic()
            rebuild = tally_rebuild()
            panel = panel_rebuild()
            self.stdout.write(
                f"tallies: {rebuild.tallies} vote and {panel.tallies} panel rows "
                f"in {time.monotonic() - started:.1f} s"
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS("Scale content loaded."))

    def _run(self, cursor, name: str, sql: str, sizes: dict[str, int]) -> None:
        started = time.monotonic()
        cursor.execute(sql, sizes)
        self.stdout.write(
            f"{name}: {cursor.rowcount} rows in {time.monotonic() - started:.1f} s"
        )
