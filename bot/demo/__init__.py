"""The ``demo`` command: the whole product on an in-process Backlog emulator, with a fixed ``now``.

It runs the real worker code (the same ``App`` that ``run`` builds) against the emulator and the bundled
sample mail, plays a customer inquiry, a staff estimate, a customer approval and a month end, and prints a
transcript of what the bot wrote, with the hours before and after and where each piece lives in the code.
No network, no credentials: everything stays on 127.0.0.1 and in a temporary folder.
"""
