"""engati-mcp: an MCP server that answers "what did user X ask?" from an Engati chatbot.

The package is split by concern: `config` reads settings, `client` talks HTTP to Engati,
`parsing` turns Engati's loosely documented bodies into `models`, `schemas` holds the tool
input/output contracts, `transcript` fits a conversation into a token budget, `server`
wires it all into MCP and `cli` is the command line.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("engati-mcp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
