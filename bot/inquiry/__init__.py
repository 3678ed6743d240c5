"""The inquiry workflow's pure core: `/bot` commands, approvals, SLA clocks and the Japanese texts.

- ``commands``: staff `/bot` lines -> typed commands or polite refusals; ``authorise`` (staff only).
- ``approval``: the customer's 承認 / 却下 reply (flow ⑥) and what an approval does (H6-H8).
- ``sla``: first response (T2), daily update (T3) and result (T4) clocks; reminders and breaches (T1).
- ``texts`` / ``staff_texts``: です・ます texts for customers and staff, as ``bot.backlog_text.Doc``.

Nothing here performs I/O or reads the clock: time and balances are passed in.
"""
