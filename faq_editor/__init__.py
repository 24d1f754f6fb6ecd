"""The FAQ editor (issue 16, section 4): supervisors and admins list, search, edit, add and delete FAQ entries
from the console, see the checks and a "try it" box before saving, and publish to the entry files the
knowledge base reads; every change is logged (``faq_changes``) and revertible. Plugs in from the composition
root (mostrador/wiring.py); nothing in hub/, handoff/, surveys/ or kpis/ imports it."""
