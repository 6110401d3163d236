"""Notifications after a run: each team its own mail, the overview by mail and to chat.
One small interface per channel (mail.py, chat.py), one policy for when (`notify.when`),
and one rule for failure: a delivery that fails is one warning line, never an exit code,
never a lost run, never a secret in the output."""
