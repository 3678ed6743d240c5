"""The inquiry use case (flow ①-⑪): the workflow, its handlers, `/bot` commands, approvals, quotes and texts.

- ``workflow``: the activity feed read after its cursor, dispatch, reconciliation, backfill, the SLA job.
- ``commands``: staff `/bot` lines -> typed commands or polite refusals; ``authorise`` (staff only).
- ``approval``: the customer's answer to a quote (flow ⑥) and what an approval does (H6-H8).
- ``texts`` / ``staff_texts``: です・ます texts for customers and staff, as ``bot.backlog.text.Doc``.

The SLA clocks themselves are pure rules (``bot/rules/sla.py``); this package applies them.
"""
