"""Start the engati-mcp stdio server from an unpacked MCP Bundle (see manifest.json).

The manifest launches `uv run --directory <bundle> engati-mcp`, the console script. A host that
runs a uv bundle's `entry_point` instead (`uv run bundle/main.py`) lands here, in the same server.
The entry point is not `engati_mcp/__main__.py`: run as a script, its own directory would come
first on `sys.path`, and `engati_mcp/http.py` would hide the standard library's `http`.
"""

import sys

from engati_mcp.cli import main

if __name__ == "__main__":
    sys.exit(main())
