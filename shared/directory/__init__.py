"""The directory (contract §5): a port and two adapters, `local` (users seen) and `graph` (Microsoft Graph).

Only the port is imported here; the composition root imports the adapter DIRECTORY names.
"""

from shared.directory.port import Directory, token_entry

__all__ = ["Directory", "token_entry"]
