"""One contact per person across channels, and who may say two contacts are one.

- ``details``: normal forms of an email and a phone, and finding them in what a customer writes.
- ``identities``: (channel, source_id) -> contact, and who holds an email or phone.
- ``linking``: a contact's details from its channel (verified) or typed / ``identify`` (unverified);
  a detail another contact holds becomes a suggested link, never a merge (issue 15, finding 2).
- ``suggestions``: suggested links, which an agent confirms (a merge) or dismisses.
- ``merge``: two contacts become the older one; only an agent asks for it.
- ``retry``: a contact change in its own transaction, retried when a concurrent one won a race.

Modules are imported by name (``from hub.contacts import merge``); this file imports nothing, so
``hub.contacts.details`` stays importable from the channels without the rest.
"""
