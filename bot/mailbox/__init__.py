"""The IMAP intake, the I/O side of the mail pipeline: the connection (``imap.py``) and the fetch-process-move
loop over it (``source.py``). Understanding a mail is pure and lives in ``bot/mail/``."""
