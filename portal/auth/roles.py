"""Staff roles (DOMAIN.md §1). Pure: no Flask, no session."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ADMIN = "admin"
RECEPTION = "reception"
HANDLER = "handler"
SECRETARIAT = "secretariat"
LEADER = "leader"

ROLES = (ADMIN, RECEPTION, HANDLER, SECRETARIAT, LEADER)

ROLE_LABELS = {
    ADMIN: _l("Administrator"),
    RECEPTION: _l("Reception officer"),
    HANDLER: _l("Handling officer"),
    SECRETARIAT: _l("Secretariat"),
    LEADER: _l("Leader"),
}

# Who may edit the public disclosure content: the hotline page and the procedure catalogue.
CONTENT_EDITORS = (ADMIN, SECRETARIAT)
