"""Backlog, the adapter: HTTP transport, the typed records, paged reads, lookups, the writer and the markup.

``bot/backlog_client.py`` is the face of this package (the design card's path); the use cases take its
``BacklogClient`` and ``bot/backlog/writer.py``'s ``BacklogWriter``. Nothing here decides a business rule.
"""
