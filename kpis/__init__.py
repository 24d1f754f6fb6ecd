"""Service KPIs computed from stored events and messages (issue 17, sections 3 and 4).

A plug-in like handoff/: the hub never imports it. ``kpis.definitions`` defines every KPI once (the
event arithmetic in its docstrings, docs/kpis.md); ``kpis.facts`` is the one per-conversation query the
numbers, the CSV export and the drill-downs all read; ``kpis.plugin`` mounts the reports API, the
reports page and ``/metrics`` (mostrador/wiring.py).
"""
