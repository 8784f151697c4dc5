"""`python -m engati_mcp` does what the `engati-mcp` command does."""

import sys

from engati_mcp.cli import main

sys.exit(main())
