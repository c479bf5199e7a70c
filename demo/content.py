"""The demo publication: categories, tools, the panel and its comparisons.

Names, categories, tiers and verdicts of the first comparison are the facts
the project started from; every sentence here is the publication's own.
"""

CATEGORIES = [
    {
        "slug": "developer-tools",
        "name": "Developer Tools",
        "description": "Agents, review bots and infrastructure for people who "
        "ship software.",
    },
    {
        "slug": "writing-research",
        "name": "Writing & Research",
        "description": "Assistants that draft, edit and check what you write.",
    },
    {
        "slug": "meetings-productivity",
        "name": "Meetings & Productivity",
        "description": "Note-takers and planners that give you your afternoon back.",
    },
]

PERSONAS = [
    {
        "slug": "the-builder",
        "name": "The Builder",
        "lens": "Hands-on developer experience",
        "bio": "Installs everything the day it ships and judges it by the first "
        "ten minutes: does it run, do the docs tell the truth, would I keep it "
        "open tomorrow?",
        "seat": 1,
    },
    {
        "slug": "the-skeptic",
        "name": "The Skeptic",
        "lens": "Risk, lock-in and what could kill it",
        "bio": "Reads the terms of service so you do not have to. Asks what "
        "breaks, who is liable and what a competitor with more distribution "
        "would do next.",
        "seat": 2,
    },
    {
        "slug": "the-futurist",
        "name": "The Futurist",
        "lens": "Second-order effects and where the market goes",
        "bio": "Cares less about the feature list than about what the tool "
        "makes cheap, and who gains power when it does.",
        "seat": 3,
    },
    {
        "slug": "the-buyer",
        "name": "The Buyer",
        "lens": "Who pays, from which budget, and whether it sticks",
        "bio": "Has signed a lot of software contracts and cancelled most of "
        "them. Looks for a clear buyer, a real budget line and a reason to "
        "renew.",
        "seat": 4,
    },
]

TOOLS = [
    {
        "slug": "claw-code",
        "name": "Claw Code",
        "category": "developer-tools",
        "tagline": "A clean-room Rust agent loop for coding, runnable on your "
        "own machines",
        "description": "Claw Code is an open-source coding agent written in "
        "Rust, built from scratch to behave like the best-known terminal "
        "coding agents: a loop that plans, asks permission, calls tools and "
        "edits files.\n\nIts pitch is **control**. It talks to any "
        "API-compatible model provider, sends no telemetry, and its code is "
        "there to audit. The project grew at a remarkable pace within weeks "
        "of its first release, and its contributors follow clean-room rules "
        "to keep its provenance defensible.\n\nWhat it does not change: the "
        "quality of the answers still comes from the model you plug in.",
        "website": "https://example.com/claw-code",
        "pricing_tier": "paid",
        "pricing_note": "The agent costs nothing; you pay your model provider "
        "per token, which for a busy developer runs to tens of dollars a month.",
    },
    {
        "slug": "modal-gpu-serverless-inference",
        "name": "Modal GPU Serverless Inference",
        "category": "developer-tools",
        "tagline": "GPU-backed model serving that starts in well under a second "
        "and bills only while it runs",
        "description": "Modal serves large language models on GPUs without a "
        "cluster to manage. Restoring memory snapshots instead of booting "
        "containers brings cold starts under 100 ms, which makes "
        "scale-to-zero practical for inference.\n\nIt runs vLLM, TGI or your "
        "own server, and bills per use, so it slots into an existing stack "
        "rather than replacing it. It is aimed at teams that want GPU "
        "inference without Kubernetes, reserved capacity or idle machines.",
        "website": "https://example.com/modal",
        "pricing_tier": "paid",
        "pricing_note": "Pay per second of GPU time; nothing while idle. "
        "Bursty workloads cost a fraction of a reserved instance.",
    },
    {
        "slug": "patchwise",
        "name": "Patchwise",
        "category": "developer-tools",
        "tagline": "An AI reviewer that comments on every pull request before "
        "a human does",
        "description": "Patchwise reads each pull request, runs the tests it "
        "can find and leaves review comments in the code host you already "
        "use. It learns a repository's conventions from merged history and "
        "stays quiet about style the linter already covers.",
        "website": "https://example.com/patchwise",
        "pricing_tier": "freemium",
        "pricing_note": "Free for public repositories; private ones cost a "
        "flat fee per active committer each month.",
    },
    {
        "slug": "shellwright",
        "name": "Shellwright",
        "category": "developer-tools",
        "tagline": "A terminal agent that explains every command before it runs it",
        "description": "Shellwright turns a plain-language request into shell "
        "commands, shows you each one with an explanation and waits for a "
        "yes. It runs entirely locally with small open-weight models.",
        "website": "https://example.com/shellwright",
        "pricing_tier": "open_source",
        "pricing_note": "Free under a permissive licence; runs on a laptop "
        "with 16 GB of memory.",
    },
    {
        "slug": "quillmate",
        "name": "Quillmate",
        "category": "writing-research",
        "tagline": "A long-form writing partner that keeps your voice",
        "description": "Quillmate drafts, restructures and tightens long "
        "documents, trained on a sample of your own writing so edits sound "
        "like you rather than like a chatbot.",
        "website": "https://example.com/quillmate",
        "pricing_tier": "freemium",
        "pricing_note": "Three documents a month free; unlimited on a "
        "personal plan billed monthly.",
    },
    {
        "slug": "citable",
        "name": "Citable",
        "category": "writing-research",
        "tagline": "Research answers where every sentence links to its source",
        "description": "Citable searches papers and reputable web sources, "
        "answers in prose and attaches a citation to each claim. Claims it "
        "cannot source are marked rather than invented.",
        "website": "https://example.com/citable",
        "pricing_tier": "paid",
        "pricing_note": "A per-seat subscription; no free tier, a 14-day trial.",
    },
    {
        "slug": "minuteman-notes",
        "name": "Minuteman Notes",
        "category": "meetings-productivity",
        "tagline": "Meeting notes and action items, written while you talk",
        "description": "Minuteman Notes joins calls, transcribes them and "
        "sends a summary with owners and due dates when the meeting ends.",
        "website": "https://example.com/minuteman",
        "pricing_tier": "free",
        "pricing_note": "Free, funded by an optional team plan that is not "
        "needed for any feature reviewed here.",
    },
    {
        "slug": "agendly",
        "name": "Agendly",
        "category": "meetings-productivity",
        "tagline": "Meeting intelligence for companies with a compliance team",
        "description": "Agendly records, summarises and indexes meetings "
        "across an organisation, with retention rules, legal hold and "
        "single sign-on.",
        "website": "https://example.com/agendly",
        "pricing_tier": "enterprise",
        "pricing_note": "Annual contracts only, priced per seat after a "
        "sales call; expect a five-figure minimum.",
    },
]

# persona slug -> tool slug -> (verdict, quote)
VERDICTS = {
    "the-builder": {
        "claw-code": (
            "ship",
            "I had it editing a real repository inside ten minutes, pointed at "
            "the cheapest model I could find. Being able to read and patch the "
            "agent loop itself is the feature I did not know I wanted.",
        ),
        "modal-gpu-serverless-inference": (
            "ship",
            "One deploy command and I had a vLLM endpoint answering, no YAML "
            "in sight. The examples in the docs actually run, and the cold "
            "start is fast enough that I stopped thinking about it.",
        ),
        "patchwise": (
            "ship",
            "It caught a missing null check on the first pull request and kept "
            "quiet about formatting. That restraint is rare.",
        ),
        "shellwright": (
            "ship",
            "Explaining each command before running it turns out to be the "
            "right amount of friction. Fast enough on my laptop.",
        ),
        "quillmate": (
            "skip",
            "The setup asks for a lot of my old writing before it is any use, "
            "and the editor fights my keyboard shortcuts.",
        ),
        "citable": (
            "ship",
            "The citations click through to the right paragraph, not just the "
            "right paper. That is what I check first.",
        ),
        "minuteman-notes": (
            "ship",
            "Installed, joined a call, sent usable notes. Nothing to configure.",
        ),
        "agendly": (
            "skip",
            "I could not try it without a sales call. That tells me who it is "
            "for, and it is not me.",
        ),
    },
    "the-skeptic": {
        "claw-code": (
            "skip",
            "Clean-room rules or not, its origin invites a legal fight, and I "
            "would not put a production workflow on code whose ownership may "
            "be argued in court. Give it a year.",
        ),
        "modal-gpu-serverless-inference": (
            "ship",
            "The fast cold start is real for models that fit on one GPU; for "
            "very large models the story gets vaguer. The bigger risk is a "
            "cloud giant bundling the same thing, but today it earns the ship.",
        ),
        "patchwise": (
            "skip",
            "It needs read access to every private repository to learn your "
            "conventions. Its data retention terms are too loose for that.",
        ),
        "shellwright": (
            "ship",
            "Local models, no network calls, every command confirmed. Hard to "
            "find a risk worth writing down.",
        ),
        "quillmate": (
            "skip",
            "Your writing samples train a model you cannot export. Leaving "
            "later means starting from nothing.",
        ),
        "citable": (
            "ship",
            "Marking unsourced claims instead of inventing sources is the "
            "right failure mode.",
        ),
        "minuteman-notes": (
            "skip",
            "Free and recording every meeting: ask how it pays for itself "
            "before you invite it to the board call.",
        ),
        "agendly": (
            "ship",
            "Retention rules, legal hold and an audit trail. Boring in the best way.",
        ),
    },
    "the-futurist": {
        "claw-code": (
            "ship",
            "The agent loop is now a commodity anyone can read. The value "
            "moves to the model layer and to the experience around it, and "
            "every agent vendor has to compete on that now.",
        ),
        "modal-gpu-serverless-inference": (
            "ship",
            "When starting a GPU is nearly free, running a separately tuned "
            "model per customer becomes affordable. That shifts leverage from "
            "model labs towards the products built on top of them.",
        ),
        "patchwise": (
            "ship",
            "Review is where teams learn; a tireless first reviewer changes "
            "what senior engineers spend their time on.",
        ),
        "shellwright": (
            "skip",
            "A careful assistant for the terminal is useful, but it is a "
            "feature the bigger agents will absorb within a release or two.",
        ),
        "quillmate": (
            "ship",
            "Tools that learn a personal voice are where writing software is "
            "heading; this one is early.",
        ),
        "citable": (
            "ship",
            "Sourced answers are the antidote to confident nonsense, and "
            "readers will come to expect them.",
        ),
        "minuteman-notes": (
            "skip",
            "Meeting notes are already built into every video platform. "
            "There is no future for a stand-alone note-taker.",
        ),
        "agendly": (
            "ship",
            "Searchable institutional memory is the second-order prize here, "
            "not the summaries.",
        ),
    },
    "the-buyer": {
        "claw-code": (
            "ship",
            "No licence to buy and no seat count to negotiate: the spend is "
            "the model bill I already have. Teams that pilot it tend to keep "
            "it, because switching models is a setting, not a contract.",
        ),
        "modal-gpu-serverless-inference": (
            "ship",
            "The buyer is the ML lead paying for GPUs that idle most of the "
            "day, and the saving shows up on the next invoice. Teams that "
            "start with inference tend to move their batch jobs over too.",
        ),
        "patchwise": (
            "ship",
            "Priced per active committer, which finance understands, and the "
            "time saved in review is easy to show.",
        ),
        "shellwright": (
            "skip",
            "Nobody to buy support from and no admin controls. Individuals "
            "will love it; procurement cannot approve it.",
        ),
        "quillmate": (
            "ship",
            "Cheap enough to expense, and people who write for a living renew.",
        ),
        "citable": (
            "skip",
            "No free tier and per-seat pricing for a tool most staff use twice "
            "a month. Hard to justify beyond the research team.",
        ),
        "minuteman-notes": (
            "ship",
            "Free removes the budget conversation entirely.",
        ),
        "agendly": (
            "ship",
            "Compliance owns a budget, and this checks their boxes. Long "
            "contracts, low churn.",
        ),
    },
}

# (left, right, weeks before the first run, standfirst, bottom line); None
# weeks means a draft.
COMPARISONS = [
    (
        "claw-code",
        "modal-gpu-serverless-inference",
        0,
        "Which one should you ship with? An open coding agent against a "
        "serverless GPU platform: panel verdict, pricing read, reviewer "
        "split and community vote.",
        "**Ship with Modal** if you serve your own models and pay for GPUs "
        "that sit idle: the whole panel agrees it solves a real cost "
        "problem.\n\n**Ship with Claw Code** if you want a coding agent you "
        "can audit and point at any model, and you can live with an "
        "unsettled legal question. Cautious teams should wait a quarter.",
    ),
    (
        "patchwise",
        "shellwright",
        1,
        "Two ways to bring AI into the daily work of a developer: a reviewer "
        "on every pull request, or an agent in the terminal that asks before "
        "it acts.",
        "**Patchwise** for teams who want faster, better reviews and can "
        "accept its data terms. **Shellwright** for individuals who want an "
        "assistant that never leaves their laptop.",
    ),
    (
        "quillmate",
        "citable",
        2,
        "A writing partner that learns your voice against a research "
        "assistant that cites every claim. The panel splits on price and "
        "lock-in.",
        "**Citable** when being right matters more than sounding like you; "
        "**Quillmate** when you write every day and will stay for years.",
    ),
    (
        "minuteman-notes",
        "agendly",
        3,
        "Free meeting notes against an enterprise meeting archive: which one "
        "belongs in your calendar?",
        "Small teams should start with **Minuteman Notes**; organisations "
        "with a compliance team will end up with **Agendly**.",
    ),
    (
        "claw-code",
        "shellwright",
        None,
        "Two open coding agents for the terminal, one built for speed and "
        "one built for caution.",
        "",
    ),
]

# Readers' votes per tool as (ship, skip). The first two stay below the
# community minimum, so their figure still reads "—".
COMMUNITY_VOTES = {
    "claw-code": (2, 1),
    "modal-gpu-serverless-inference": (2, 0),
    "patchwise": (33, 15),
    "shellwright": (12, 9),
    "quillmate": (34, 6),
    "citable": (8, 10),
    "minuteman-notes": (20, 4),
    "agendly": (3, 9),
}
