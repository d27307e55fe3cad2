"""Backups and restores: `flask backup --out DIR` and `flask restore DIR` (docs/backup.md)."""


class BackupError(Exception):
    """A backup or a restore was refused or failed; the message is one line for the person at the terminal."""
