"""The knowledge-gap report (issue 16, section 3): customer questions the bot could not answer, grouped by
meaning, ranked by volume, each one click from a draft FAQ entry. docs/gaps.md."""
