"""``rebuild-state``: the store reconstructed from what the bot wrote into Backlog (``restore.py``,
``scan.py``) and the mailbox (``mail.py``)."""
