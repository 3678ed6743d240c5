"""Configuration: the environment (``settings.py``) and the TOML files (``loader.py`` with ``service.py``,
``customers.py`` and their strict field types in ``fields.py``), validated once at start."""
