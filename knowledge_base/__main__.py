"""Entry point of ``python -m knowledge_base``."""

from knowledge_base.cli import main

raise SystemExit(main())
