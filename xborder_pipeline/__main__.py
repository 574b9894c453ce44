"""`python -m xborder_pipeline` runs the `xborder` command."""

from xborder_pipeline.cli import main

main()
