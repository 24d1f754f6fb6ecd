"""The FAQ editor's API, one module per resource: entries, drafts (checks and "try it"), changes."""
