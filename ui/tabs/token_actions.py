"""What the token actions cannot do to the selection, in words for their tooltips."""

from __future__ import annotations

from ui.format import plural


def revoked_reasons(revoked: int, selected: int) -> dict[str, str]:
    """Why Extend, Revoke and Rotate cannot apply when every selected token is revoked.

    Keyed by the tab's action attribute; a mixed selection keeps them (the revoked rows
    are left alone and the summary says so).
    """
    if not selected or revoked < selected:
        return {}
    return {
        "edit_action": plural(
            revoked,
            "This token is revoked: it cannot be extended. Issue a new one instead.",
            "These tokens are revoked: they cannot be extended. Issue new ones instead.",
        ),
        "revoke_action": plural(
            revoked, "This token is already revoked.", "These tokens are already revoked."
        ),
        "rotate_action": "This token is revoked: it cannot be rotated. Issue a new one instead.",
    }
