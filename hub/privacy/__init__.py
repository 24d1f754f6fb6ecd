"""Personal data of contacts: export (GDPR art. 15), erasure (art. 17) and RETENTION_DAYS.

- :func:`export_contact`: everything held about a contact, one JSON document, with the Rasa trackers;
- :func:`erase_contact`: delete all of it (also from Rasa's tracker store) and keep an anonymous
  ``erasures`` row; a second erasure is a 404 ``contact_erased``;
- :mod:`hub.privacy.retention`: the worker's sweep of stale conversations.

Supervisors call them through the agent API (handoff/api/routes/privacy.py), operators through
``python -m hub.privacy export|erase --contact ID``. See docs/security.md, "Data retention and deletion".
"""

from hub.privacy.erasure import EXPORT_FORMAT, ContactErased, erase_contact, export_contact

__all__ = ["EXPORT_FORMAT", "ContactErased", "erase_contact", "export_contact"]
