"""The worker's own pieces: logging (``logs.py``), the checks at start (``startup.py``) and what ``status``
reports (``status.py``)."""
